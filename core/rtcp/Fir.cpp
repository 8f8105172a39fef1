#include "core/rtcp/Fir.hpp"

namespace cascade::rtcp {

base::Result<Fir, RtcpError> Fir::Parse(const RtcpPacket& packet) {
  auto feedback = Feedback::Parse(packet, kPtPsfb, kFmtFir);
  if (!feedback) return base::Fail(feedback.error());
  // RFC 5104 §4.3.1.1: one or more 8-byte FCI entries.
  if (feedback->fci().empty()) return base::Fail(RtcpError::kPacketTooShort);
  if (feedback->fci().size() % kEntrySize != 0) return base::Fail(RtcpError::kFciLength);
  return Fir(*feedback);
}

base::Result<size_t, RtcpError> Fir::Build(uint32_t sender_ssrc, std::span<const FirEntry> entries,
                                           base::ByteWriter& out) {
  if (entries.empty()) return base::Fail(RtcpError::kInvalidArgument);
  size_t start = Feedback::Begin(kPtPsfb, kFmtFir, sender_ssrc, 0, out);
  for (const FirEntry& entry : entries) {
    out.U32(entry.ssrc);
    out.U8(entry.seq_nr);
    out.Zeros(3);  // reserved, sent as zero
  }
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
