#include "media/Room.hpp"

#include <algorithm>
#include <array>

#include "core/base/Bytes.hpp"
#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/Nack.hpp"
#include "core/rtcp/Pli.hpp"
#include "core/rtcp/ReceiverReport.hpp"
#include "core/rtcp/Remb.hpp"
#include "core/rtcp/SenderReport.hpp"
#include "core/rtp/HeaderExtensions.hpp"

namespace cascade::media {
namespace {

// The SSRC our own feedback carries: RFC 3550 wants a sender SSRC even for pure receivers.
constexpr uint32_t kFeedbackSsrc = 1;

}  // namespace

Room::Room(std::string name, Options options, RoomCounters& counters, SsrcAllocator allocate_ssrc)
    : name_(std::move(name)),
      options_(options),
      stream_options_{options.keyframe_request_interval_us, options.packet_cache, options.nack_generator},
      counters_(counters),
      allocate_ssrc_(std::move(allocate_ssrc)) {}

LinkSubscriber* Room::FindChild(const Link* link) const {
  for (const auto& child : children_) {
    if (&child->link() == link) return child.get();
  }
  return nullptr;
}

ViewerSubscriber* Room::FindViewer(const ClientSession* session) {
  for (const auto& viewer : viewers_) {
    if (&viewer->session() == session) return viewer.get();
  }
  return nullptr;
}

UpstreamStream* Room::FindStream(uint32_t ssrc) {
  for (auto& stream : streams_) {
    if (stream->ssrc() == ssrc) return stream.get();
  }
  return nullptr;
}

UpstreamStream* Room::FindMeshStream(uint32_t mesh_ssrc) {
  for (auto& stream : streams_) {
    if (stream->mesh_ssrc() == mesh_ssrc) return stream.get();
  }
  return nullptr;
}

void Room::ClearStreams() {
  for (auto& stream : streams_) {
    for (auto& child : children_) child->OnStreamRemoved(*stream);
  }
  streams_.clear();
  for (auto* subscriber : subscribers_) subscriber->OnUpstreamChanged();
}

void Room::SetUpstreamExtensions(const std::array<rtp::ExtensionUri, 256>& extensions) {
  upstream_extensions_ = extensions;
  for (auto* subscriber : subscribers_) subscriber->OnExtensionsChanged();
}

void Room::SetPublisher(ClientSession* session) {
  ClearStreams();
  publisher_ = session;
  std::array<rtp::ExtensionUri, 256> extensions{};
  if (publisher_) extensions = publisher_->negotiated().extension_by_id;
  publisher_transport_cc_id_ = publisher_ && publisher_->negotiated().transport_cc
                                   ? publisher_->negotiated().TransportCcExtensionId()
                                   : 0;
  publisher_feedback_ =
      publisher_transport_cc_id_ != 0 ? std::make_unique<rtcp::TransportFeedbackGenerator>() : nullptr;
  SetUpstreamExtensions(extensions);
}

void Room::SetParent(Link* link) {
  if (parent_ == link) return;
  ClearStreams();
  parent_ = link;
  SetUpstreamExtensions({});
}

void Room::AddViewer(ClientSession* session, PacketSink& sink) {
  auto& viewer = viewers_.emplace_back(std::make_unique<ViewerSubscriber>(*session, sink, *this));
  subscribers_.push_back(viewer.get());
}

void Room::OnViewerConnected(ClientSession* session, uint64_t now_us) {
  if (ViewerSubscriber* viewer = FindViewer(session)) viewer->OnConnected(now_us);
  UpdateSubscription(now_us);
}

void Room::AddChild(Link* link) {
  if (HasChild(link)) return;
  auto& child = children_.emplace_back(std::make_unique<LinkSubscriber>(name_, *link, *this));
  subscribers_.push_back(child.get());
  child->AnnounceAll();
}

void Room::RemoveChild(Link* link) {
  LinkSubscriber* child = FindChild(link);
  if (!child) return;
  std::erase(subscribers_, child);
  std::erase_if(children_, [child](const auto& c) { return c.get() == child; });
}

bool Room::NeededHere(const UpstreamStream& stream) const {
  for (const auto& viewer : viewers_) {
    const ViewerTrack& video = viewer->video();
    // A viewer that has not chosen yet may choose anything.
    if (video.source_ssrc == 0 && video.pending_source_ssrc == 0) return true;
    if (video.source_ssrc == stream.ssrc() || video.pending_source_ssrc == stream.ssrc() ||
        viewer->selector().target().spatial_id == stream.ssrc()) {
      return true;
    }
  }
  for (const auto& child : children_) {
    if (!child->paused(stream.mesh_ssrc())) return true;
  }
  return false;
}

void Room::UpdateSubscription(uint64_t now_us) {
  if (!parent_ || !parent_->connected()) return;
  // Only video is paused, and only what nobody needed for a while: a viewer switching back
  // and forth does not make the parent stop and restart a layer (each restart costs a keyframe).
  constexpr uint64_t kLingerUs = 2'000'000;
  const bool anyone = !subscribers_.empty();
  std::vector<uint32_t> paused;
  bool changed = false;
  for (auto& stream : streams_) {
    if (stream->kind() != TrackKind::kVideo) continue;
    if (!anyone || NeededHere(*stream)) stream->last_needed_us = now_us;
    if (stream->last_needed_us == 0) stream->last_needed_us = now_us;
    const bool pause = now_us - stream->last_needed_us >= kLingerUs;
    if (pause != stream->paused()) {
      changed = true;
      if (pause) {
        // Until the parent reports, what we measured last stands in for it.
        stream->SetReportedState({stream->bitrate_bps(), stream->height(), stream->temporal_layers(),
                                  stream->live(now_us), now_us});
      } else {
        stream->nacks().Reset();  // the numbers sent while paused were never ours to lose
      }
      stream->SetPaused(pause);
      ++(pause ? counters_.layers_paused : counters_.layers_resumed);
    }
    if (pause) paused.push_back(stream->ssrc());
  }
  if (changed || subscription_dirty_) parent_->Send(StreamSubscription{name_, std::move(paused)});
  subscription_dirty_ = false;
}

void Room::OnChildSubscription(Link* link, const StreamSubscription& subscription, uint64_t now_us) {
  LinkSubscriber* child = FindChild(link);
  if (!child) return;
  child->SetPaused(subscription.paused);
  // What this node needs from its own parent may have changed with it.
  UpdateSubscription(now_us);
}

void Room::OnParentStates(const StreamStates& states, uint64_t now_us) {
  for (const auto& state : states.streams) {
    UpstreamStream* stream = FindStream(state.ssrc);
    if (!stream || !stream->paused()) continue;
    stream->SetReportedState({state.bitrate_bps, state.height, state.temporal_layers, state.live, now_us});
  }
}

void Room::OnFastTick(uint64_t now_us) {
  for (auto* viewer : probing_) viewer->ContinueProbe(now_us);
  std::erase_if(probing_, [](ViewerSubscriber* viewer) { return !viewer->probing(); });
}

void Room::Remove(ClientSession* session) {
  if (publisher_ == session) {
    ClearStreams();
    publisher_ = nullptr;
    publisher_feedback_.reset();
    publisher_transport_cc_id_ = 0;
  }
  if (ViewerSubscriber* viewer = FindViewer(session)) {
    std::erase(subscribers_, viewer);
    std::erase(probing_, viewer);
    std::erase_if(viewers_, [viewer](const auto& v) { return v.get() == viewer; });
  }
}

UpstreamStream* Room::LearnPublisherStream(const rtp::RtpPacket& packet) {
  const auto& negotiated = publisher_->negotiated();
  const auto& pt = negotiated.payload_types[packet.payload_type()];
  // Padding-only probes and payload types we did not negotiate (e.g. RTX) start nothing.
  if (!pt.valid || streams_.size() >= kMaxStreams) return nullptr;
  // This node is the origin: the stream gets its mesh identity here. Its packet cache is
  // allocated once per publisher stream.
  auto stream = std::make_unique<UpstreamStream>(stream_options_, packet.ssrc(), allocate_ssrc_());
  std::string layer;
  const uint8_t rid_id = negotiated.id_by_extension[static_cast<size_t>(rtp::ExtensionUri::kRid)];
  if (rid_id != 0) {
    if (auto rid = rtp::ReadSdesString(packet.FindExtension(rid_id))) layer = std::string(*rid);
  }
  stream->Describe(pt.kind, pt.codec, pt.clock_rate, std::move(layer));
  UpstreamStream& added = *streams_.emplace_back(std::move(stream));
  for (auto* subscriber : subscribers_) subscriber->OnStreamAdded(added);
  return &added;
}

bool Room::OnAnnounce(const StreamAnnounce& announce) {
  UpstreamStream* stream = FindStream(announce.ssrc);
  if (!stream && streams_.size() >= kMaxStreams) return false;
  std::array<rtp::ExtensionUri, 256> extensions{};
  for (const auto& [id, uri] : announce.extensions) extensions[id] = uri;
  SetUpstreamExtensions(extensions);
  const bool created = !stream;
  if (created)
    stream =
        streams_.emplace_back(std::make_unique<UpstreamStream>(stream_options_, announce.ssrc, announce.ssrc))
            .get();
  stream->Describe(announce.kind, announce.codec, announce.clock_rate, announce.layer);
  // A stream new to a room that already has receivers (this node just joined the tree, or
  // replaced a failed parent below them): they can start only at a keyframe, so ask at once
  // rather than when their own decoders time out.
  if (created && stream->kind() == TrackKind::kVideo && !subscribers_.empty()) stream->keyframe_wanted = true;
  for (auto* subscriber : subscribers_) subscriber->OnStreamAdded(*stream);
  return true;
}

void Room::OnWithdraw(uint32_t ssrc) {
  auto it =
      std::find_if(streams_.begin(), streams_.end(), [ssrc](const auto& s) { return s->ssrc() == ssrc; });
  if (it == streams_.end()) return;
  for (auto* subscriber : subscribers_) subscriber->OnStreamRemoved(**it);
  streams_.erase(it);
}

PacketSink* Room::UpstreamSink() {
  PacketSink* sink = nullptr;
  if (publisher_) sink = &publisher_->sink();
  if (parent_) sink = &parent_->sink();
  return sink && sink->ready() ? sink : nullptr;
}

uint64_t Room::UpstreamRttUs() const { return parent_ ? parent_->rtt_us() : options_.publisher_rtt_us; }

void Room::RequestKeyframe(UpstreamStream& stream, uint64_t now_us) {
  // A request during the interval goes out when it ends (polled on packets and ticks).
  stream.keyframes().OnRequest(now_us);
  SendKeyframeRequestIfDue(stream, now_us);
}

void Room::RequestKeyframes(uint64_t now_us) {
  for (auto& stream : streams_) {
    if (stream->kind() != TrackKind::kVideo) continue;
    stream->keyframe_wanted = true;
    RequestKeyframe(*stream, now_us);
  }
}

void Room::SendKeyframeRequestIfDue(UpstreamStream& stream, uint64_t now_us) {
  if (!stream.keyframes().Due(now_us, UpstreamRttUs())) return;
  PacketSink* sink = UpstreamSink();
  if (!sink) return;
  if (!sink->SendRtcp(
          [&](base::ByteWriter& writer) { (void)rtcp::Pli::Build(kFeedbackSsrc, stream.ssrc(), writer); }))
    return;
  stream.keyframes().OnSent(now_us);
  ++counters_.keyframe_requests_sent;
  if (parent_) ++parent_->counters().keyframe_requests_sent;
}

void Room::SendUpstreamNacks(UpstreamStream& stream, uint64_t now_us) {
  PacketSink* sink = UpstreamSink();
  if (!sink) return;
  std::array<uint16_t, 64> seqs{};  // one NACK of at most 64 entries; the rest stays due
  const size_t count = stream.nacks().Collect(now_us, UpstreamRttUs(), seqs);
  if (count == 0) return;
  // When the path cannot take it now, these numbers are asked for again at the next retry.
  const bool sent = sink->SendRtcp([&](base::ByteWriter& writer) {
    (void)rtcp::Nack::Build(kFeedbackSsrc, stream.ssrc(), std::span<const uint16_t>(seqs.data(), count),
                            writer);
  });
  if (!sent) return;
  ++counters_.nacks_sent;
  counters_.nack_seqs_requested += count;
  if (parent_) {
    ++parent_->counters().nacks_sent;
    parent_->counters().nack_seqs_sent += count;
  }
}

void Room::OnPublisherTransportSequence(const rtp::RtpPacket& packet, uint64_t now_us) {
  auto seq = rtp::ReadTransportSequenceNumber(packet.FindExtension(publisher_transport_cc_id_));
  if (!seq) return;
  publisher_feedback_->OnPacket(*seq, static_cast<int64_t>(now_us));
  if (!publisher_feedback_->Due(static_cast<int64_t>(now_us))) return;
  PacketSink* sink = UpstreamSink();
  if (!sink) return;
  sink->SendRtcp([&](base::ByteWriter& writer) {
    publisher_feedback_->Build(kFeedbackSsrc, packet.ssrc(), static_cast<int64_t>(now_us), writer);
  });
}

void Room::OnPublisherRtp(rtp::RtpPacket& packet, uint64_t now_us) {
  if (!publisher_) return;
  // Every packet counts for the publisher's estimator, padding and RTX included.
  if (publisher_feedback_) OnPublisherTransportSequence(packet, now_us);
  UpstreamStream* stream = FindStream(packet.ssrc());
  if (!stream) stream = LearnPublisherStream(packet);
  if (stream) OnUpstreamRtp(*stream, packet, now_us);
}

void Room::OnParentRtp(rtp::RtpPacket& packet, uint64_t now_us) {
  if (!parent_) return;
  auto& link_counters = parent_->counters();
  ++link_counters.rtp_packets_received;
  link_counters.rtp_bytes_received += packet.size();
  // Only announced streams: the announce says what the payload is.
  UpstreamStream* stream = FindStream(packet.ssrc());
  if (!stream) {
    ++link_counters.unannounced_packets;
    return;
  }
  OnUpstreamRtp(*stream, packet, now_us);
}

void Room::OnUpstreamRtp(UpstreamStream& stream, rtp::RtpPacket& packet, uint64_t now_us) {
  // Per-hop loss repair: the stream keeps the packet for NACKs from below and tracks what
  // this link lost, NACKed upstream at most once per retry interval per packet.
  const StreamArrival arrival = stream.OnPacket(packet, now_us);
  if (arrival.recovered) ++counters_.nack_recovered;
  if (stream.nacks().Due(now_us)) SendUpstreamNacks(stream, now_us);
  if (stream.keyframe_wanted && !stream.keyframes().pending()) stream.keyframes().OnRequest(now_us);
  SendKeyframeRequestIfDue(stream, now_us);
  for (auto* subscriber : subscribers_) subscriber->OnPacket(stream, packet, arrival, now_us);
}

void Room::OnParentRtcp(const rtcp::RtcpPacket& packet, uint64_t now_us) {
  // The parent's sender reports are echoed (LSR/DLSR) in our receiver reports, which gives
  // the parent this link's RTT.
  if (packet.Kind() != rtcp::PacketKind::kSenderReport) return;
  auto sr = rtcp::SenderReport::Parse(packet);
  if (!sr.ok()) return;
  if (UpstreamStream* stream = FindStream(sr->sender_ssrc())) stream->OnSenderReport(*sr, now_us);
}

void Room::OnChildRtcp(Link* link, const rtcp::RtcpPacket& packet, uint64_t now_us) {
  if (LinkSubscriber* child = FindChild(link)) child->OnRtcp(packet, now_us);
}

void Room::OnViewerRtcp(ClientSession* session, std::span<const uint8_t> compound, uint64_t now_us) {
  ViewerSubscriber* viewer = FindViewer(session);
  if (!viewer) return;
  rtcp::CompoundReader reader(compound);
  rtcp::RtcpPacket packet;
  while (reader.Next(packet)) viewer->OnRtcp(packet, now_us);
}

void Room::OnChat(ClientSession* from_session, Link* from_link, std::string_view text) {
  ++counters_.chat_messages;
  auto bytes = std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  auto send = [&](ClientSession& to) {
    if (&to == from_session || !to.chat_stream || !to.has_transport()) return;
    to.transport().SendDataChannelMessage(*to.chat_stream, sctp::DataChannelMessageType::kText, bytes);
  };
  if (publisher_) send(*publisher_);
  for (auto& viewer : viewers_) send(viewer->session());
  // Flooding the tree minus the link it came from reaches every node exactly once, and
  // each link's ordered channel keeps one sender's messages in order.
  LinkChat chat{name_, std::string(text)};
  if (parent_ && parent_ != from_link) parent_->Send(chat);
  for (auto& child : children_) {
    if (&child->link() != from_link) child->link().Send(chat);
  }
}

void Room::OnTick(uint64_t now_us) {
  const uint64_t elapsed_us = last_tick_us_ ? now_us - last_tick_us_ : 0;
  last_tick_us_ = now_us;
  for (auto& stream : streams_) stream->UpdateBitrate(elapsed_us);
  for (auto* subscriber : subscribers_) subscriber->OnTick(now_us);
  for (auto& viewer : viewers_) {
    if (viewer->probing() && std::find(probing_.begin(), probing_.end(), viewer.get()) == probing_.end()) {
      probing_.push_back(viewer.get());
    }
  }
  for (auto& stream : streams_) {
    if (stream->keyframe_wanted) stream->keyframes().OnRequest(now_us);  // sent once the last one is overdue
    SendKeyframeRequestIfDue(*stream, now_us);  // a pending request when upstream went quiet
    if (stream->nacks().Due(now_us)) SendUpstreamNacks(*stream, now_us);
    const auto& nack_counters = stream->nacks().counters();
    counters_.nack_given_up += nack_counters.given_up - stream->given_up_counted;
    if (parent_) {
      parent_->counters().lost_before_repair += nack_counters.missing - stream->missing_counted;
      parent_->counters().lost_after_repair += nack_counters.given_up - stream->given_up_counted;
    }
    stream->missing_counted = nack_counters.missing;
    stream->given_up_counted = nack_counters.given_up;
  }
  SendUpstreamFeedback(now_us);
  UpdateSubscription(now_us);
}

void Room::SendUpstreamFeedback(uint64_t now_us) {
  // Receiver reports let the publisher's loss-based estimator ramp up (REMB caps it) and,
  // echoing the parent's sender reports, give the parent this link's RTT.
  PacketSink* sink = UpstreamSink();
  if (!sink) return;
  std::array<rtcp::ReportBlock, kMaxStreams> blocks{};
  std::array<uint32_t, kMaxStreams> video_ssrcs{};
  size_t block_count = 0;
  size_t video_count = 0;
  for (auto& stream : streams_) {
    auto block = stream->MakeReportBlock(now_us);
    if (!block) continue;
    blocks[block_count++] = *block;
    if (stream->kind() == TrackKind::kVideo) video_ssrcs[video_count++] = stream->ssrc();
  }
  sink->SendRtcp([&](base::ByteWriter& writer) {
    rtcp::ReceiverReport::Fields rr;
    rr.sender_ssrc = kFeedbackSsrc;
    rr.reports = std::span<const rtcp::ReportBlock>(blocks.data(), block_count);
    if (!rtcp::ReceiverReport::Build(rr, writer).ok()) return;
    if (publisher_ && video_count > 0) {
      rtcp::Remb::Build(kFeedbackSsrc, options_.publisher_bitrate_cap_bps,
                        std::span<const uint32_t>(video_ssrcs.data(), video_count), writer);
    }
  });
}

}  // namespace cascade::media
