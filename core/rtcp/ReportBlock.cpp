#include "core/rtcp/ReportBlock.hpp"

#include <algorithm>

namespace cascade::rtcp {

ReportBlock ReportBlock::Read(const uint8_t* p) {
  ReportBlock block;
  block.ssrc = base::LoadBe32(p);
  block.fraction_lost = p[4];
  uint32_t lost = base::LoadBe24(p + 5);
  // Sign-extend the 24-bit two's complement value.
  block.cumulative_lost =
      (lost & 0x800000) ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
  block.extended_highest_seq = base::LoadBe32(p + 8);
  block.jitter = base::LoadBe32(p + 12);
  block.last_sr = base::LoadBe32(p + 16);
  block.delay_since_sr = base::LoadBe32(p + 20);
  return block;
}

void ReportBlock::Write(base::ByteWriter& out) const {
  int32_t lost = std::clamp(cumulative_lost, kMinCumulativeLost, kMaxCumulativeLost);
  out.U32(ssrc);
  out.U8(fraction_lost);
  out.U24(static_cast<uint32_t>(lost) & 0xffffff);
  out.U32(extended_highest_seq);
  out.U32(jitter);
  out.U32(last_sr);
  out.U32(delay_since_sr);
}

}  // namespace cascade::rtcp
