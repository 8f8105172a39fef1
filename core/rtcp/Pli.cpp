#include "core/rtcp/Pli.hpp"

namespace cascade::rtcp {

base::Result<Pli, RtcpError> Pli::Parse(const RtcpPacket& packet) {
  auto feedback = Feedback::Parse(packet, kPtPsfb, kFmtPli);
  if (!feedback) return base::Fail(feedback.error());
  // RFC 4585 §6.3.1: PLI has no parameters, so the length field MUST be 2.
  if (!feedback->fci().empty()) return base::Fail(RtcpError::kFciLength);
  return Pli(*feedback);
}

base::Result<size_t, RtcpError> Pli::Build(uint32_t sender_ssrc, uint32_t media_ssrc, base::ByteWriter& out) {
  return Feedback::Build(kPtPsfb, kFmtPli, sender_ssrc, media_ssrc, {}, out);
}

}  // namespace cascade::rtcp
