#include "core/rtcp/Nack.hpp"

namespace cascade::rtcp {

bool Nack::SeqIterator::Next(uint16_t& seq) {
  while (item_ * 4 < fci_.size()) {
    const uint8_t* p = fci_.data() + item_ * 4;
    uint16_t pid = base::LoadBe16(p);
    uint16_t blp = base::LoadBe16(p + 2);
    if (bit_ < 0) {
      bit_ = 0;
      seq = pid;
      return true;
    }
    while (bit_ < 16) {
      int bit = bit_++;
      if (blp & (1u << bit)) {
        seq = static_cast<uint16_t>(pid + bit + 1);
        return true;
      }
    }
    ++item_;
    bit_ = -1;
  }
  return false;
}

base::Result<Nack, RtcpError> Nack::Parse(const RtcpPacket& packet) {
  auto feedback = Feedback::Parse(packet, kPtRtpfb, kFmtNack);
  if (!feedback) return base::Fail(feedback.error());
  // RFC 4585 §6.2.1: one or more 32-bit FCI entries.
  if (feedback->fci().empty()) return base::Fail(RtcpError::kPacketTooShort);
  if (feedback->fci().size() % 4 != 0) return base::Fail(RtcpError::kFciLength);
  return Nack(*feedback);
}

base::Result<size_t, RtcpError> Nack::Build(uint32_t sender_ssrc, uint32_t media_ssrc,
                                            std::span<const uint16_t> lost_seqs, base::ByteWriter& out) {
  if (lost_seqs.empty()) return base::Fail(RtcpError::kInvalidArgument);
  size_t start = Feedback::Begin(kPtRtpfb, kFmtNack, sender_ssrc, media_ssrc, out);
  uint16_t pid = lost_seqs[0];
  uint16_t blp = 0;
  for (size_t i = 1; i < lost_seqs.size(); ++i) {
    uint16_t diff = static_cast<uint16_t>(lost_seqs[i] - pid);
    if (diff == 0) continue;
    if (diff <= 16) {
      blp = static_cast<uint16_t>(blp | (1u << (diff - 1)));
      continue;
    }
    out.U16(pid);
    out.U16(blp);
    pid = lost_seqs[i];
    blp = 0;
  }
  out.U16(pid);
  out.U16(blp);
  return FinishPacket(out, start);
}

base::Result<size_t, RtcpError> Nack::BuildItems(uint32_t sender_ssrc, uint32_t media_ssrc,
                                                 std::span<const NackItem> items, base::ByteWriter& out) {
  if (items.empty()) return base::Fail(RtcpError::kInvalidArgument);
  size_t start = Feedback::Begin(kPtRtpfb, kFmtNack, sender_ssrc, media_ssrc, out);
  for (const NackItem& item : items) {
    out.U16(item.pid);
    out.U16(item.blp);
  }
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
