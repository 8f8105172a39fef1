#pragma once
// The packets of one RTP stream as received at this hop (plaintext, before any per-receiver
// rewrite), kept so that a NACK from downstream is answered here instead of upstream.
// A ring of fixed-size slots indexed by the unwrapped sequence number: every buffer is
// allocated at construction, Insert and Find never allocate. A packet leaves the cache when
// its slot is reused (capacity, counted in packets) or when it is older than max_age_us.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rtp/SeqUnwrapper.hpp"

namespace cascade::rtp {

class PacketCache {
 public:
  struct Options {
    size_t capacity = 1024;   // packets; also the widest span of sequence numbers kept
    size_t slot_size = 1500;  // bytes; larger packets are not cached
    uint64_t max_age_us = 1'000'000;
  };

  struct Counters {
    uint64_t inserted = 0;
    uint64_t too_large = 0;  // bigger than a slot
    uint64_t too_old = 0;    // older than the whole ring when it arrived
  };

  PacketCache();  // default Options
  explicit PacketCache(Options options);

  // Copies `packet` (a whole RTP datagram whose sequence number is `seq`) into its slot.
  // Returns false when it is not cached (too large, or older than everything the ring holds).
  bool Insert(uint16_t seq, std::span<const uint8_t> packet, uint64_t now_us);
  // The packet with `seq`, or empty when it was never seen, was overwritten or is older than
  // max_age_us at `now_us`. The span stays valid until the next Insert or Clear.
  std::span<const uint8_t> Find(uint16_t seq, uint64_t now_us) const;
  // The packet with `seq` whatever its age (empty bytes when never seen or overwritten), for
  // a caller that bounds the age itself (a keyframe replayed to a new receiver).
  struct Stored {
    std::span<const uint8_t> bytes;
    uint64_t arrival_us = 0;
  };
  Stored FindAnyAge(uint16_t seq) const;
  // Arrival time of the packet Find would return (0 when Find would return empty).
  uint64_t ArrivalUs(uint16_t seq, uint64_t now_us) const;
  // Forgets every packet (a publisher restart with new sequence numbers).
  void Clear();

  const Options& options() const { return options_; }
  const Counters& counters() const { return counters_; }

 private:
  static constexpr int64_t kEmpty = INT64_MIN;  // unwrapped numbers can be negative
  struct Slot {
    int64_t seq = kEmpty;  // unwrapped
    uint64_t arrival_us = 0;
    uint16_t size = 0;
  };
  const Slot* Lookup(uint16_t seq, uint64_t now_us) const;
  const Slot* LookupAnyAge(uint16_t seq) const;
  std::span<const uint8_t> Bytes(const Slot* slot) const;

  Options options_;
  std::vector<Slot> slots_;       // capacity entries
  std::vector<uint8_t> storage_;  // capacity * slot_size bytes
  SeqUnwrapper unwrapper_;
  bool started_ = false;
  int64_t highest_ = 0;
  Counters counters_;
};

}  // namespace cascade::rtp
