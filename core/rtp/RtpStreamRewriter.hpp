#pragma once
// Gives one viewer a single continuous RTP stream (one SSRC, gap-free sequence numbers and
// timestamps that advance with wall time) while the forwarded source changes underneath:
// a publisher restart or a simulcast layer switch. The caller (the layer selector) decides
// which source is forwarded and feeds only that source's packets; a packet with a new SSRC
// (or the first one after RequestSwitch()) starts a new segment:
//   out_seq = last_out_seq + 1, out_ts = last_out_ts + elapsed wall time * clock_rate,
// and later packets of the segment keep the same offsets. Late packets from before the
// segment's first packet would map onto numbers already sent, so they are dropped.
#include <array>
#include <cstdint>
#include <optional>

#include "core/rtp/RtpPacket.hpp"
#include "core/rtp/SeqUnwrapper.hpp"

namespace cascade::rtp {

class RtpStreamRewriter {
 public:
  // `clock_rate` in Hz (90000 for video, 48000 for Opus).
  RtpStreamRewriter(uint32_t out_ssrc, uint32_t clock_rate) : out_ssrc_(out_ssrc), clock_rate_(clock_rate) {}

  // The next packet starts a new segment even if its SSRC is unchanged (a publisher that
  // restarted with the same SSRC but new sequence/timestamp bases).
  void RequestSwitch() { switch_requested_ = true; }

  // Rewrites SSRC, sequence number and timestamp in place; returns false when the packet
  // must be dropped (older than the current segment's first packet). `now_us` is the
  // caller's clock at arrival.
  bool Rewrite(RtpPacket& packet, uint64_t now_us);
  // The caller drops `packet` (e.g. padding-only probes it does not forward): later packets
  // are renumbered to close the gap, so the viewer sees no loss that never happened.
  // Returns false when that is no longer possible: the packet is late (it was lost upstream
  // and repaired) and later packets were already numbered around it, so its number is a
  // hole the viewer waits for; the caller should forward it (Rewrite) instead.
  bool Skip(const RtpPacket& packet);

  // Retransmission of a packet this rewriter already numbered (a NACK answered from a cache):
  // rewrites `packet` (a copy of the source packet) to the same SSRC, sequence number and
  // timestamp it was first sent with, without moving any state. Returns false when the
  // packet is not from the current segment or is newer than anything forwarded.
  bool RewriteRetransmission(RtpPacket& packet) const;
  // The source sequence number that `out_seq` was sent for in the current segment (what a
  // viewer's NACK asks for, in the cache's numbering); none when it lies outside the segment
  // or before the remembered renumbering history.
  std::optional<uint16_t> SourceSequenceFor(uint16_t out_seq) const;
  // The source SSRC of the current segment (0 before the first packet).
  uint32_t source_ssrc() const { return started_ ? source_ssrc_ : 0; }

  uint32_t out_ssrc() const { return out_ssrc_; }
  uint16_t last_sequence_number() const { return highest_out_seq_; }
  uint32_t last_timestamp() const { return highest_out_ts_; }
  uint64_t switches() const { return switches_; }
  uint64_t dropped() const { return dropped_; }

 private:
  void StartSegment(const RtpPacket& packet, uint64_t now_us);
  // The sequence offset for an unwrapped source number of the current segment: Skip()
  // renumbers what follows, so older packets keep the offset they were sent with.
  std::optional<uint16_t> OffsetFor(int64_t unwrapped) const;
  void PushOffset(int64_t from, uint16_t offset);

  // Offsets by source range within the segment, newest last: an entry covers unwrapped
  // source numbers [from, end); the skipped numbers between one range's end and the next
  // one's from were never sent. A fixed ring; the oldest ranges fall off.
  struct OffsetRange {
    int64_t from = 0;
    int64_t end = INT64_MAX;  // open while it is the newest
    uint16_t offset = 0;
  };
  static constexpr size_t kOffsetHistory = 64;
  std::array<OffsetRange, kOffsetHistory> offsets_{};
  size_t offset_count_ = 0;  // valid entries (<= kOffsetHistory)
  size_t offset_head_ = 0;   // index of the newest entry

  const uint32_t out_ssrc_;
  const uint32_t clock_rate_;
  bool started_ = false;
  bool switch_requested_ = false;
  uint32_t source_ssrc_ = 0;
  SeqUnwrapper source_seq_;
  int64_t segment_start_ = 0;
  int64_t highest_source_seq_ = 0;  // unwrapped, in the current segment
  uint16_t seq_offset_ = 0;
  uint32_t ts_offset_ = 0;
  uint16_t highest_out_seq_ = 0;
  uint32_t highest_out_ts_ = 0;
  uint64_t highest_out_time_us_ = 0;
  uint64_t switches_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace cascade::rtp
