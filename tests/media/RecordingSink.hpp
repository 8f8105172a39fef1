#pragma once
// For subscriber tests without DTLS: a PacketSink that keeps every committed packet, and the
// VP8 payloads and session facts those tests build rooms from.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/RtcpPacket.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"
#include "media/Negotiated.hpp"
#include "media/PacketSink.hpp"

namespace cascade::media::test {

// `is_ready` false models a viewer whose transport path is gone.
class RecordingSink final : public PacketSink {
 public:
  bool ready() const override { return is_ready; }
  std::span<uint8_t> BeginRtp() override {
    return is_ready ? std::span<uint8_t>(slot_) : std::span<uint8_t>();
  }
  bool CommitRtp(size_t length) override {
    rtp.emplace_back(slot_.begin(), slot_.begin() + static_cast<std::ptrdiff_t>(length));
    return true;
  }
  std::span<uint8_t> BeginRtcp() override { return BeginRtp(); }
  bool CommitRtcp(size_t length) override {
    rtcp.emplace_back(slot_.begin(), slot_.begin() + static_cast<std::ptrdiff_t>(length));
    return true;
  }

  rtp::RtpPacket Parsed(size_t i) {
    auto packet = rtp::RtpPacket::Parse(rtp.at(i));
    REQUIRE(packet.ok());
    return *packet;
  }
  size_t CountRtcp(rtcp::PacketKind kind) const {
    size_t count = 0;
    for (const auto& compound : rtcp) {
      rtcp::CompoundReader reader(compound);
      rtcp::RtcpPacket packet;
      while (reader.Next(packet)) count += packet.Kind() == kind;
    }
    return count;
  }

  bool is_ready = true;
  std::vector<std::vector<uint8_t>> rtp;
  std::vector<std::vector<uint8_t>> rtcp;

 private:
  std::array<uint8_t, 1500> slot_{};
};

// RFC 7741 payloads: a keyframe (S=1, PID=0, P=0, 320x240) and a delta frame.
inline constexpr std::array<uint8_t, 11> kVp8Keyframe = {0x10, 0x00, 0x00, 0x00, 0x9d, 0x01,
                                                         0x2a, 0x40, 0x01, 0xf0, 0x00};
inline constexpr std::array<uint8_t, 5> kVp8Delta = {0x10, 0x01, 0x00, 0x00, 0x42};

inline constexpr uint32_t kPublisherSsrc = 0x1111;
inline constexpr uint8_t kPublisherVp8 = 96;
inline constexpr uint8_t kViewerVp8 = 100;

enum class PublisherPacketKind { kKeyframe, kDelta, kPadding };

// The publisher's VP8 stream, one packet per frame at 30 frames a second: seq n has RTP time
// 3000 n.
inline rtp::RtpPacket BuildPublisherPacket(std::array<uint8_t, 256>& bytes, uint16_t seq,
                                           PublisherPacketKind kind) {
  rtp::RtpPacketBuilder builder(bytes);
  builder.SetPayloadType(kPublisherVp8)
      .SetSequenceNumber(seq)
      .SetTimestamp(3000u * seq)
      .SetSsrc(kPublisherSsrc);
  if (kind == PublisherPacketKind::kPadding) {
    builder.SetPadding(100);
  } else {
    builder.SetPayload(kind == PublisherPacketKind::kKeyframe ? std::span<const uint8_t>(kVp8Keyframe)
                                                              : std::span<const uint8_t>(kVp8Delta));
  }
  auto size = builder.Build();
  REQUIRE(size.ok());
  auto packet = rtp::RtpPacket::Parse(std::span(bytes.data(), *size));
  REQUIRE(packet.ok());
  return *packet;
}

inline NegotiatedSession VideoSession() {
  NegotiatedSession negotiated;
  negotiated.has_video = true;
  return negotiated;
}

}  // namespace cascade::media::test
