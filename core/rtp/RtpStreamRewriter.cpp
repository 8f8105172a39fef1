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
  offset_count_ = 0;
  PushOffset(segment_start_, seq_offset_);
}

void RtpStreamRewriter::PushOffset(int64_t from, uint16_t offset) {
  offset_head_ = offset_count_ == 0 ? 0 : (offset_head_ + 1) % kOffsetHistory;
  offsets_[offset_head_] = {from, INT64_MAX, offset};
  offset_count_ = std::min(offset_count_ + 1, kOffsetHistory);
}

std::optional<uint16_t> RtpStreamRewriter::OffsetFor(int64_t unwrapped) const {
  for (size_t i = 0; i < offset_count_; ++i) {
    const OffsetRange& range = offsets_[(offset_head_ + kOffsetHistory - i) % kOffsetHistory];
    if (unwrapped >= range.end) return std::nullopt;  // a skipped number
    if (unwrapped >= range.from) return range.offset;
  }
  return std::nullopt;  // older than the remembered history
}

std::optional<uint16_t> RtpStreamRewriter::SourceSequenceFor(uint16_t out_seq) const {
  if (!started_) return std::nullopt;
  // Try each range's offset, newest first; the answer must fall inside that range.
  for (size_t i = 0; i < offset_count_; ++i) {
    const OffsetRange& range = offsets_[(offset_head_ + kOffsetHistory - i) % kOffsetHistory];
    const auto source = static_cast<uint16_t>(out_seq - range.offset);
    const int64_t unwrapped = source_seq_.PeekUnwrap(source);
    if (unwrapped >= range.from && unwrapped < std::min(range.end, highest_source_seq_ + 1)) return source;
  }
  return std::nullopt;
}

bool RtpStreamRewriter::RewriteRetransmission(RtpPacket& packet) const {
  if (!started_ || packet.ssrc() != source_ssrc_) return false;
  const int64_t unwrapped = source_seq_.PeekUnwrap(packet.sequence_number());
  if (unwrapped < segment_start_ || unwrapped > highest_source_seq_) return false;
  const auto offset = OffsetFor(unwrapped);
  if (!offset) return false;
  packet.SetSsrc(out_ssrc_);
  packet.SetSequenceNumber(static_cast<uint16_t>(packet.sequence_number() + *offset));
  packet.SetTimestamp(packet.timestamp() + ts_offset_);
  return true;
}

bool RtpStreamRewriter::Skip(const RtpPacket& packet) {
  if (!started_ || switch_requested_ || packet.ssrc() != source_ssrc_) return true;
  const int64_t unwrapped = source_seq_.Unwrap(packet.sequence_number());
  if (unwrapped == highest_source_seq_) return true;  // a duplicate of the newest
  if (unwrapped < highest_source_seq_)
    return unwrapped < segment_start_;  // late: a hole unless before the segment
  highest_source_seq_ = unwrapped;
  --seq_offset_;
  if (offset_count_ > 0 && offsets_[offset_head_].from == unwrapped) {
    // A run of skips: the newest range never numbered a packet, so move it instead of
    // spending a history entry per skipped packet.
    offsets_[offset_head_].from = unwrapped + 1;
    offsets_[offset_head_].offset = seq_offset_;
  } else {
    if (offset_count_ > 0) offsets_[offset_head_].end = unwrapped;
    PushOffset(unwrapped + 1, seq_offset_);
  }
  return true;
}

bool RtpStreamRewriter::Rewrite(RtpPacket& packet, uint64_t now_us) {
  const bool first_of_segment = !started_ || switch_requested_ || packet.ssrc() != source_ssrc_;
  uint16_t seq_offset = seq_offset_;
  if (first_of_segment) {
    StartSegment(packet, now_us);
    seq_offset = seq_offset_;
  } else {
    const int64_t unwrapped = source_seq_.Unwrap(packet.sequence_number());
    if (unwrapped < segment_start_) {
      ++dropped_;
      return false;
    }
    if (unwrapped < highest_source_seq_) {
      // Late (reordered) packet: it keeps the numbering in force when it was due, which a
      // later Skip() may have changed.
      const auto offset = OffsetFor(unwrapped);
      if (!offset) {
        ++dropped_;
        return false;
      }
      seq_offset = *offset;
    }
    highest_source_seq_ = std::max(highest_source_seq_, unwrapped);
  }
  const auto out_seq = static_cast<uint16_t>(packet.sequence_number() + seq_offset);
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
