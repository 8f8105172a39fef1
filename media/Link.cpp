#include "media/Link.hpp"

#include <algorithm>

#include "core/base/Log.hpp"

namespace cascade::media {
namespace {

// Before any measurement: a link between data centers, not a LAN.
constexpr uint64_t kDefaultRttUs = 50'000;
// Messages kept while the channel is not open yet; beyond that the link is unusable anyway.
constexpr size_t kMaxPendingMessages = 1024;

}  // namespace

void Link::Send(const LinkMessage& message) {
  std::string text = SerializeLinkMessage(message);
  if (text.size() > kMaxLinkMessageSize) {
    // JSON escaping can grow a client's chat message past what the peer accepts.
    ++counters_.messages_not_sent;
    return;
  }
  if (!channel_) {
    if (pending_.size() < kMaxPendingMessages) pending_.push_back(std::move(text));
    return;
  }
  auto bytes = std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  if (transport_->SendDataChannelMessage(*channel_, sctp::DataChannelMessageType::kText, bytes)) {
    ++counters_.messages_sent;
  } else {
    ++counters_.messages_not_sent;
  }
}

void Link::OnConnected() {
  // The channel is usable once the parent's DCEP ACK arrives (OnChannelOpened).
  if (end_ != End::kChild || channel_ || channel_requested_) return;
  sctp::DataChannelParams params;
  params.label = kLinkChannelLabel;
  params.ordered = true;
  channel_requested_ = transport_->OpenDataChannel(params).has_value();
  if (!channel_requested_) LOG_WARN("link.channel_refused", {"peer", peer_node_id_});
}

void Link::OnChannelOpened(uint16_t stream_id, const std::string& label) {
  if (label != kLinkChannelLabel || channel_) return;
  channel_ = stream_id;
  Flush();
}

void Link::Flush() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& text : pending) {
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    if (transport_->SendDataChannelMessage(*channel_, sctp::DataChannelMessageType::kText, bytes)) {
      ++counters_.messages_sent;
    }
  }
}

uint64_t Link::rtt_us() const {
  if (end_ == End::kChild) {
    if (auto measured = transport_->rtt_us()) return std::max<uint64_t>(*measured, 1);
  }
  if (report_rtt_us_ != 0) return report_rtt_us_;
  return kDefaultRttUs;
}

}  // namespace cascade::media
