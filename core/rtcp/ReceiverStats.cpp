#include "core/rtcp/ReceiverStats.hpp"

#include <algorithm>

#include "core/rtcp/ReportBlock.hpp"

namespace cascade::rtcp {

void ReceiverStats::Init(uint16_t seq) {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = kSeqMod + 1;
  cycles_ = 0;
  received_ = 0;
  expected_prior_ = 0;
  received_prior_ = 0;
}

bool ReceiverStats::OnPacket(uint16_t seq) {
  // The relay accepts a source from its first packet, so §A.1's probation is not applied.
  if (!started_) {
    Init(seq);
    started_ = true;
    ++received_;
    return true;
  }
  uint16_t udelta = static_cast<uint16_t>(seq - max_seq_);
  if (udelta < kMaxDropout) {
    // In order, with a permissible gap.
    if (seq < max_seq_) cycles_ += kSeqMod;  // wrapped
    max_seq_ = seq;
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump: accept it only if the next packet follows it (the source restarted).
    if (seq == bad_seq_) {
      Init(seq);
    } else {
      bad_seq_ = (static_cast<uint32_t>(seq) + 1) & (kSeqMod - 1);
      return false;
    }
  } else {
    // Duplicate or reordered packet: counted, does not move max_seq.
  }
  ++received_;
  return true;
}

ReceiverStats::Report ReceiverStats::MakeReport() {
  Report report;
  if (!started_) return report;
  report.extended_highest_seq = extended_highest_seq();
  int64_t lost = cumulative_lost();
  report.cumulative_lost = static_cast<int32_t>(
      std::clamp<int64_t>(lost, ReportBlock::kMinCumulativeLost, ReportBlock::kMaxCumulativeLost));
  // §A.3: fraction over the interval since the last report, 0 when nothing was lost.
  uint32_t expected_now = expected();
  uint32_t expected_interval = expected_now - expected_prior_;
  uint32_t received_interval = received_ - received_prior_;
  expected_prior_ = expected_now;
  received_prior_ = received_;
  int64_t lost_interval = static_cast<int64_t>(expected_interval) - received_interval;
  if (expected_interval != 0 && lost_interval > 0) {
    report.fraction_lost = static_cast<uint8_t>((lost_interval << 8) / expected_interval);
  }
  return report;
}

}  // namespace cascade::rtcp
