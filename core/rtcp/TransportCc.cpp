#include "core/rtcp/TransportCc.hpp"

namespace cascade::rtcp {

base::Result<TransportCc, RtcpError> TransportCc::Parse(const RtcpPacket& packet) {
  auto feedback = Feedback::Parse(packet, kPtRtpfb, kFmtTcc);
  if (!feedback) return base::Fail(feedback.error());
  // §3.1: base sequence number, status count, reference time and feedback count.
  if (feedback->fci().size() < kFixedFciSize) return base::Fail(RtcpError::kPacketTooShort);
  return TransportCc(*feedback);
}

}  // namespace cascade::rtcp
