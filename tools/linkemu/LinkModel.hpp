#pragma once
// One direction of an emulated link, as a pure function of arrival time, size and a PRNG:
// each packet is either dropped (with a reason) or given a departure time. No I/O and no
// clock of its own, so it is tested with a ManualClock's time and a seeded PRNG.
#include <cstdint>
#include <random>
#include <vector>

#include "core/base/EnumCounters.hpp"
#include "tools/linkemu/LinkParams.hpp"

namespace cascade::linkemu {

enum class DropReason : uint8_t {
  kRandomLoss,     // independent loss
  kBurstLoss,      // Gilbert–Elliott bad state
  kQueueFull,      // rate-cap queue over queue_ms / queue_packets (drop-tail)
  kHoldFull,       // the emulator's preallocated hold queue is full
  kSendQueueFull,  // the outgoing socket's queue is full
  kTooManyPeers,   // a new side-A peer beyond the emulator's limit
  kStray,          // a reply from someone other than the target
  kCount
};
const char* ToString(DropReason reason);

class LinkModel {
 public:
  using Rng = std::mt19937_64;

  struct Decision {
    bool drop = false;
    DropReason reason = DropReason::kRandomLoss;  // when drop
    uint64_t departure_us = 0;                    // when !drop
    bool duplicate = false;                       // send it twice
  };

  struct Counters {
    uint64_t packets = 0;  // decided
    uint64_t bytes = 0;
    uint64_t duplicated = 0;
    base::EnumCounters<DropReason> drops;
  };

  explicit LinkModel(const LinkParams& params = {}) { SetParams(params); }

  // Takes effect for the next packet; the burst state, the rate bucket and the ordering
  // floor carry over so that a change does not reorder packets already decided.
  void SetParams(const LinkParams& params);
  const LinkParams& params() const { return params_; }

  Decision Decide(uint64_t now_us, size_t bytes, Rng& rng);
  // For drops decided outside the model (emulator queues), so one counter set covers both.
  void CountDrop(DropReason reason) { counters_.drops.Inc(reason); }

  const Counters& counters() const { return counters_; }
  bool in_bad_state() const { return bad_; }

  // In [0, 1) from the top 53 bits.
  static double Uniform(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
  static double StandardNormal(Rng& rng);

 private:
  // Applies the rate cap; returns false (queue full) or the time the packet leaves the queue.
  bool Enqueue(uint64_t now_us, size_t bytes, uint64_t& ready_us);

  LinkParams params_;
  Counters counters_;
  bool bad_ = false;                // Gilbert–Elliott state
  double bucket_time_us_ = 0;       // token bucket as a virtual time: tokens = (now - this) * rate
  std::vector<uint64_t> in_queue_;  // ring of queue departure times, capacity queue_packets
  size_t ring_head_ = 0;
  size_t ring_count_ = 0;
  uint64_t last_departure_us_ = 0;
};

}  // namespace cascade::linkemu
