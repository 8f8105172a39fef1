#pragma once
// draft-alvestrand-rmcat-remb-03 §2.2 receiver estimated maximum bitrate: an application
// layer feedback (PSFB FMT 15) whose FCI is 'REMB', Num SSRC, BR Exp (6 bits), BR Mantissa
// (18 bits) and the SSRC list.
#include <cstdint>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/Feedback.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class Remb {
 public:
  static constexpr size_t kFixedFciSize = 8;
  static constexpr uint32_t kMaxMantissa = 0x3ffff;

  static base::Result<Remb, RtcpError> Parse(const RtcpPacket& packet);
  // Picks the smallest exponent whose mantissa fits 18 bits (rounding down), at most 255 SSRCs.
  static base::Result<size_t, RtcpError> Build(uint32_t sender_ssrc, uint64_t bitrate_bps,
                                               std::span<const uint32_t> ssrcs, base::ByteWriter& out);
  // mantissa * 2^exp, clamped to UINT64_MAX when the 6-bit exponent would overflow it.
  static uint64_t DecodeBitrate(uint8_t exponent, uint32_t mantissa);

  uint32_t sender_ssrc() const { return feedback_.sender_ssrc(); }
  uint8_t exponent() const { return static_cast<uint8_t>(fci()[5] >> 2); }
  uint32_t mantissa() const { return base::LoadBe24(fci().data() + 5) & kMaxMantissa; }
  uint64_t bitrate_bps() const { return DecodeBitrate(exponent(), mantissa()); }
  size_t ssrc_count() const { return fci()[4]; }
  uint32_t ssrc(size_t i) const { return base::LoadBe32(fci().data() + kFixedFciSize + 4 * i); }

 private:
  explicit Remb(Feedback feedback) : feedback_(feedback) {}
  std::span<const uint8_t> fci() const { return feedback_.fci(); }
  Feedback feedback_;
};

}  // namespace cascade::rtcp
