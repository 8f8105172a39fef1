#pragma once
// draft-ietf-rmcat-gcc-02 §5.2 pre-filtering: packets sent within 5 ms of a group's first
// packet form one group (a video frame, a pacer burst), and the delay signal is taken between
// groups: d(i) = (arrival of group i - arrival of group i-1) - (send of i - send of i-1),
// using each group's last packet. A packet that arrives within 5 ms of the previous one with
// a negative propagation delta joins the current group even when sent later (it queued behind
// it: a burst, §5.2 second rule), for at most 100 ms of arrivals. Packets sent before the
// current group began (overtaken on the way) are ignored, so reordering does not read as
// queueing; a clock jump or three reordered groups in a row start over. libwebrtc's
// InterArrivalDelta does the same.
#include <cstdint>
#include <optional>

namespace cascade::bwe {

class InterArrivalDelta {
 public:
  struct Deltas {
    int64_t send_delta_us = 0;
    int64_t arrival_delta_us = 0;
  };
  static constexpr int64_t kGroupLengthUs = 5'000;
  static constexpr int64_t kBurstDeltaUs = 5'000;
  static constexpr int64_t kMaxBurstUs = 100'000;
  static constexpr int kReorderedResetThreshold = 3;
  static constexpr int64_t kArrivalOffsetResetUs = 3'000'000;

  // Feed packets in arrival order; returns the deltas between the two groups before this
  // packet when it starts a new group. `now_us` is our clock when the feedback came, to see
  // the receiver's clock jump.
  std::optional<Deltas> OnPacket(int64_t send_us, int64_t arrival_us, int64_t now_us);
  void Reset();

  uint64_t reordered_packets() const { return reordered_packets_; }
  uint64_t resets() const { return resets_; }

 private:
  struct Group {
    bool empty = true;
    int64_t first_send_us = 0;
    int64_t send_us = 0;  // the latest send time in the group
    int64_t first_arrival_us = 0;
    int64_t complete_us = 0;  // arrival of the last packet
    int64_t last_local_us = 0;
  };
  bool BelongsToBurst(int64_t send_us, int64_t arrival_us) const;
  bool StartsNewGroup(int64_t send_us, int64_t arrival_us) const;

  Group current_;
  Group previous_;
  int consecutive_reordered_ = 0;
  uint64_t reordered_packets_ = 0;
  uint64_t resets_ = 0;
};

}  // namespace cascade::bwe
