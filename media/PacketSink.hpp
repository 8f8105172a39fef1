#pragma once
// Where packets towards one peer leave this node. The sink owns the send slot, the SRTP
// overhead and the sizes, so stream and subscriber code never reasons about buffer floors:
// it gets a slot that fits one packet, or an empty one when the path cannot take a packet
// now. TransportSink sends through a WebRtcTransport (SRTP in place in the socket's send
// queue); tests give subscribers a recording sink and need no DTLS.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "core/transport/WebRtcTransport.hpp"

namespace cascade::media {

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual bool ready() const = 0;
  // Room for one RTP / RTCP packet in plaintext (the encryption overhead is already kept
  // back); empty when the path cannot take one now. Valid until the matching Commit.
  virtual std::span<uint8_t> BeginRtp() = 0;
  virtual bool CommitRtp(size_t length) = 0;
  virtual std::span<uint8_t> BeginRtcp() = 0;
  virtual bool CommitRtcp(size_t length) = 0;

  // `packet` copied into the RTP slot with its parsed offsets (no second parse), ready to be
  // rewritten in place and committed with CommitRtp(size()).
  std::optional<rtp::RtpPacket> CopyRtp(const rtp::RtpPacket& packet) {
    auto slot = BeginRtp();
    return slot.empty() ? std::nullopt : packet.CopyTo(slot);
  }
  // A stored packet (a cache entry) copied into the RTP slot and parsed there (resends only).
  std::optional<rtp::RtpPacket> CopyRtp(std::span<const uint8_t> stored) {
    auto slot = BeginRtp();
    if (slot.size() < stored.size() || stored.empty()) return std::nullopt;
    std::memcpy(slot.data(), stored.data(), stored.size());
    auto parsed = rtp::RtpPacket::Parse(slot.first(stored.size()));
    return parsed.ok() ? std::optional<rtp::RtpPacket>(*parsed) : std::nullopt;
  }
  // One compound RTCP packet written by `build(base::ByteWriter&)`; false when there was no
  // room, the builder failed, or it wrote nothing.
  template <typename Build>
  bool SendRtcp(Build&& build) {
    auto slot = BeginRtcp();
    if (slot.empty()) return false;
    base::ByteWriter writer(slot);
    build(writer);
    return writer.ok() && writer.size() > 0 && CommitRtcp(writer.size());
  }
};

class TransportSink final : public PacketSink {
 public:
  TransportSink() = default;
  explicit TransportSink(transport::WebRtcTransport* transport) : transport_(transport) {}
  void set_transport(transport::WebRtcTransport* transport) { transport_ = transport; }

  bool ready() const override {
    return transport_ && transport_->state() == transport::TransportState::kConnected;
  }
  std::span<uint8_t> BeginRtp() override { return Slot(srtp::SrtpSession::kMaxRtpOverhead); }
  bool CommitRtp(size_t length) override { return transport_->CommitRtp(length); }
  std::span<uint8_t> BeginRtcp() override { return Slot(srtp::SrtpSession::kMaxRtcpOverhead); }
  bool CommitRtcp(size_t length) override { return transport_->CommitRtcp(length); }

 private:
  std::span<uint8_t> Slot(size_t overhead) {
    if (!ready()) return {};
    auto out = transport_->BeginSend();
    return out.size() > overhead ? out.first(out.size() - overhead) : std::span<uint8_t>();
  }

  transport::WebRtcTransport* transport_ = nullptr;
};

}  // namespace cascade::media
