#include "core/rtcp/Remb.hpp"

#include <limits>

namespace cascade::rtcp {

uint64_t Remb::DecodeBitrate(uint8_t exponent, uint32_t mantissa) {
  if (mantissa == 0) return 0;
  // 18-bit mantissa shifted by up to 63 overflows 64 bits: clamp instead of wrapping.
  if (exponent >= 64 || mantissa > (std::numeric_limits<uint64_t>::max() >> exponent)) {
    return std::numeric_limits<uint64_t>::max();
  }
  return static_cast<uint64_t>(mantissa) << exponent;
}

base::Result<Remb, RtcpError> Remb::Parse(const RtcpPacket& packet) {
  auto feedback = Feedback::Parse(packet, kPtPsfb, kFmtAfb);
  if (!feedback) return base::Fail(feedback.error());
  std::span<const uint8_t> fci = feedback->fci();
  if (fci.size() < kFixedFciSize) return base::Fail(RtcpError::kPacketTooShort);
  // draft-alvestrand-rmcat-remb §2.2: unique identifier 'R' 'E' 'M' 'B'.
  if (fci[0] != 'R' || fci[1] != 'E' || fci[2] != 'M' || fci[3] != 'B') {
    return base::Fail(RtcpError::kRembBadIdentifier);
  }
  // Num SSRC must account for exactly the rest of the FCI.
  if (fci.size() != kFixedFciSize + 4 * static_cast<size_t>(fci[4])) {
    return base::Fail(RtcpError::kRembSsrcCountMismatch);
  }
  return Remb(*feedback);
}

base::Result<size_t, RtcpError> Remb::Build(uint32_t sender_ssrc, uint64_t bitrate_bps,
                                            std::span<const uint32_t> ssrcs, base::ByteWriter& out) {
  if (ssrcs.size() > 255) return base::Fail(RtcpError::kInvalidArgument);
  uint8_t exponent = 0;
  while ((bitrate_bps >> exponent) > kMaxMantissa) ++exponent;
  uint32_t mantissa = static_cast<uint32_t>(bitrate_bps >> exponent);
  // draft §2.2: the media source SSRC is always 0.
  size_t start = Feedback::Begin(kPtPsfb, kFmtAfb, sender_ssrc, 0, out);
  out.Bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("REMB"), 4));
  out.U8(static_cast<uint8_t>(ssrcs.size()));
  out.U24((static_cast<uint32_t>(exponent) << 18) | mantissa);
  for (uint32_t ssrc : ssrcs) out.U32(ssrc);
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
