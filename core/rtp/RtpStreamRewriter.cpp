#include "core/rtp/RtpStreamRewriter.hpp"

#include <algorithm>

namespace cascade::rtp {

void RtpStreamRewriter::StartSegment(const RtpPacket& packet, uint64_t now_us) {
  uint16_t out_seq = packet.sequence_number();
  uint32_t out_ts = packet.timestamp();
  if (started_) {
    // Continue right after the newest packet sent, and move the timestamp by the wall time
    // since then (at least one tick, so the new frame never shares the old frame's time).
    out_seq = static_cast<uint16_t>(highest_out_seq_ + 1);
    const uint64_t elapsed_us = now_us > highest_out_time_us_ ? now_us - highest_out_time_us_ : 0;
    const uint64_t ticks = std::max<uint64_t>(1, elapsed_us * clock_rate_ / 1'000'000);
    out_ts = static_cast<uint32_t>(highest_out_ts_ + ticks);
    ++switches_;
  }
  seq_offset_ = static_cast<uint16_t>(out_seq - packet.sequence_number());
  ts_offset_ = out_ts - packet.timestamp();
  source_ssrc_ = packet.ssrc();
  source_seq_.Reset();
  segment_start_ = source_seq_.Unwrap(packet.sequence_number());
  highest_source_seq_ = segment_start_;
  switch_requested_ = false;
}

void RtpStreamRewriter::Skip(const RtpPacket& packet) {
  if (!started_ || switch_requested_ || packet.ssrc() != source_ssrc_) return;
  const int64_t unwrapped = source_seq_.Unwrap(packet.sequence_number());
  if (unwrapped <= highest_source_seq_) return;  // late: its number was never the next one out
  highest_source_seq_ = unwrapped;
  --seq_offset_;
}

bool RtpStreamRewriter::Rewrite(RtpPacket& packet, uint64_t now_us) {
  const bool first_of_segment = !started_ || switch_requested_ || packet.ssrc() != source_ssrc_;
  if (first_of_segment) {
    StartSegment(packet, now_us);
  } else {
    const int64_t unwrapped = source_seq_.Unwrap(packet.sequence_number());
    if (unwrapped < segment_start_) {
      ++dropped_;
      return false;
    }
    highest_source_seq_ = std::max(highest_source_seq_, unwrapped);
  }
  const auto out_seq = static_cast<uint16_t>(packet.sequence_number() + seq_offset_);
  const uint32_t out_ts = packet.timestamp() + ts_offset_;
  packet.SetSsrc(out_ssrc_);
  packet.SetSequenceNumber(out_seq);
  packet.SetTimestamp(out_ts);
  if (!started_ || first_of_segment || IsNewerSeq(out_seq, highest_out_seq_)) {
    highest_out_seq_ = out_seq;
    highest_out_ts_ = out_ts;
    highest_out_time_us_ = now_us;
  }
  started_ = true;
  return true;
}

}  // namespace cascade::rtp
