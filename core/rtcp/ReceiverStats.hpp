#pragma once
// Loss statistics of one received RTP stream for its report block: sequence number tracking
// per RFC 3550 §A.1 (cycles, dropouts, restarts) and cumulative / fraction lost per §A.3.
// Fed with each received packet's sequence number; no clock needed.
#include <cstdint>

namespace cascade::rtcp {

class ReceiverStats {
 public:
  // RFC 3550 §A.1 constants.
  static constexpr uint32_t kMaxDropout = 3000;
  static constexpr uint32_t kMaxMisorder = 100;
  static constexpr uint32_t kSeqMod = 1u << 16;

  struct Report {
    uint8_t fraction_lost = 0;
    int32_t cumulative_lost = 0;  // clamped to the 24-bit signed field
    uint32_t extended_highest_seq = 0;
  };

  // Returns false when the packet was judged invalid (a large jump not yet confirmed by a
  // following packet, §A.1); such packets do not count as received.
  bool OnPacket(uint16_t seq);

  bool started() const { return started_; }
  uint32_t extended_highest_seq() const { return cycles_ + max_seq_; }
  uint32_t expected() const { return started_ ? extended_highest_seq() - base_seq_ + 1 : 0; }
  uint32_t received() const { return received_; }
  // §A.3: expected - received; negative with duplicates.
  int64_t cumulative_lost() const { return static_cast<int64_t>(expected()) - received_; }

  // §A.3: fraction lost since the previous call (interval), cumulative lost since the start.
  Report MakeReport();

 private:
  void Init(uint16_t seq);

  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;  // shifted count of sequence number wraps
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = kSeqMod + 1;  // so seq == bad_seq is false initially
  uint32_t received_ = 0;
  uint32_t expected_prior_ = 0;
  uint32_t received_prior_ = 0;
};

}  // namespace cascade::rtcp
