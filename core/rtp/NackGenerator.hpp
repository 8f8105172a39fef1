#pragma once
// Finds the packets one stream lost on the link into this hop and decides when to NACK them
// upstream (RFC 4585 §6.2.1): the first request as soon as a gap is seen (after an optional
// reorder delay), then a retry every max(RTT, min_retry_interval) until the packet arrives,
// max_requests were sent or it is max_age old. One generator per stream per hop, so however
// many downstream receivers miss the same packet, upstream hears one request per interval;
// a downstream NACK for a packet this hop lacks is "already requested" (IsMissing).
// Missing packets live in a fixed ring indexed by unwrapped sequence number: no allocation
// after construction. Time comes in as now_us; the caller polls Collect when Due.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rtp/SeqUnwrapper.hpp"

namespace cascade::rtp {

class NackGenerator {
 public:
  struct Options {
    size_t max_tracked = 512;       // ring size: how far behind the newest a loss is kept
    uint64_t reorder_delay_us = 0;  // wait this long before the first request
    uint64_t min_retry_interval_us = 20'000;
    uint32_t max_requests = 10;       // requests per packet, the first included
    uint64_t max_age_us = 1'000'000;  // give up on a packet missing this long
  };

  struct Counters {
    uint64_t missing = 0;    // sequence numbers found missing
    uint64_t requested = 0;  // sequence numbers put into NACKs (retries included)
    uint64_t recovered = 0;  // missing packets that arrived after being requested
    uint64_t reordered = 0;  // missing packets that arrived before any request
    uint64_t given_up = 0;   // too old, too many requests, or pushed out of the ring
    uint64_t resets = 0;     // jumps too large to be loss (a sender restart)
  };

  NackGenerator();  // default Options
  explicit NackGenerator(Options options);

  // A packet of the stream arrived (any packet, padding included). Returns true when it
  // fills a gap that was being requested.
  bool OnPacket(uint16_t seq, uint64_t now_us);
  // True when `seq` is missing here and is (or will be) requested upstream.
  bool IsMissing(uint16_t seq) const;
  // True when Collect has something to send at `now_us`.
  bool Due(uint64_t now_us) const { return missing_count_ > 0 && now_us >= next_due_us_; }
  // Writes the sequence numbers to NACK now, oldest first (RTP order), into `out`; returns
  // how many. Drops what is too old or was asked for max_requests times. Entries that do not
  // fit in `out` stay due for the next call. `rtt_us` 0 means unknown.
  size_t Collect(uint64_t now_us, uint64_t rtt_us, std::span<uint16_t> out);
  // Forgets everything (the stream starts over).
  void Reset();

  size_t missing_count() const { return missing_count_; }
  const Counters& counters() const { return counters_; }

 private:
  static constexpr int64_t kEmpty = INT64_MIN;
  struct Entry {
    int64_t seq = kEmpty;  // unwrapped
    uint64_t detected_us = 0;
    uint64_t last_sent_us = 0;
    uint32_t requests = 0;
  };
  Entry& EntryFor(int64_t unwrapped) {
    const auto cap = static_cast<int64_t>(entries_.size());
    return entries_[static_cast<size_t>(((unwrapped % cap) + cap) % cap)];
  }
  const Entry& EntryFor(int64_t unwrapped) const {
    return const_cast<NackGenerator*>(this)->EntryFor(unwrapped);
  }
  void Drop(Entry& entry);

  Options options_;
  std::vector<Entry> entries_;
  SeqUnwrapper unwrapper_;
  bool started_ = false;
  int64_t highest_ = 0;
  size_t missing_count_ = 0;
  uint64_t next_due_us_ = 0;
  Counters counters_;
};

}  // namespace cascade::rtp
