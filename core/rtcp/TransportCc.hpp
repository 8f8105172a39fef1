#pragma once
// Transport-wide congestion control feedback, draft-holmer-rmcat-transport-wide-cc-
// extensions-01 §3.1 (RTPFB FMT 15). This view exposes the fixed fields; the packet chunks
// and receive deltas are expanded by TransportCcDecoder and written by TransportCcEncoder.
#include <cstdint>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/Feedback.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class TransportCc {
 public:
  static constexpr size_t kFixedFciSize = 8;
  static constexpr int64_t kReferenceTimeUnitUs = 64000;  // §3.1: reference time in 64 ms
  static constexpr int64_t kDeltaUnitUs = 250;            // §3.1.5: deltas in 250 us
  // §3.1.1 packet status symbols.
  static constexpr uint8_t kNotReceived = 0;
  static constexpr uint8_t kSmallDelta = 1;
  static constexpr uint8_t kLargeDelta = 2;

  static base::Result<TransportCc, RtcpError> Parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const { return feedback_.sender_ssrc(); }
  uint32_t media_ssrc() const { return feedback_.media_ssrc(); }
  uint16_t base_seq() const { return base::LoadBe16(fci().data()); }
  uint16_t status_count() const { return base::LoadBe16(fci().data() + 2); }
  // §3.1: a signed 24-bit value in multiples of 64 ms.
  int32_t reference_time() const {
    uint32_t raw = base::LoadBe24(fci().data() + 4);
    return (raw & 0x800000) ? static_cast<int32_t>(raw) - 0x1000000 : static_cast<int32_t>(raw);
  }
  uint8_t feedback_count() const { return fci()[7]; }
  // Packet chunks followed by receive deltas (and possibly zero padding).
  std::span<const uint8_t> chunks_and_deltas() const { return fci().subspan(kFixedFciSize); }

 private:
  explicit TransportCc(Feedback feedback) : feedback_(feedback) {}
  std::span<const uint8_t> fci() const { return feedback_.fci(); }
  Feedback feedback_;
};

}  // namespace cascade::rtcp
