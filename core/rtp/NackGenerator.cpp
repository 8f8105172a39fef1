#include "core/rtp/NackGenerator.hpp"

#include <algorithm>
#include <cassert>

namespace cascade::rtp {

NackGenerator::NackGenerator() : NackGenerator(Options{}) {}

NackGenerator::NackGenerator(Options options) : options_(options) {
  assert(options_.max_tracked > 0 && options_.max_tracked <= 16384);
  assert(options_.max_requests > 0);
  entries_.resize(options_.max_tracked);
}

void NackGenerator::Drop(Entry& entry) {
  entry = Entry{};
  --missing_count_;
}

bool NackGenerator::OnPacket(uint16_t seq, uint64_t now_us) {
  const int64_t unwrapped = unwrapper_.Unwrap(seq);
  if (!started_) {
    started_ = true;
    highest_ = unwrapped;
    return false;
  }
  const auto tracked = static_cast<int64_t>(options_.max_tracked);
  if (unwrapped > highest_) {
    const int64_t gap = unwrapped - highest_ - 1;
    if (gap >= tracked) {
      // More lost than the ring holds: a sender that restarted its numbering, or an outage a
      // keyframe repairs better than NACKs. Start over from here.
      Reset();
      ++counters_.resets;
      started_ = true;
      highest_ = unwrapper_.Unwrap(seq);
      return false;
    }
    for (int64_t lost = highest_ + 1; lost < unwrapped; ++lost) {
      Entry& entry = EntryFor(lost);
      if (entry.seq != kEmpty) {  // a loss max_tracked behind the newest: too late to repair
        ++counters_.given_up;
        Drop(entry);
      }
      entry.seq = lost;
      entry.detected_us = now_us;
      ++missing_count_;
      ++counters_.missing;
    }
    // The slot of the arriving packet may hold a loss from one ring ago.
    Entry& own = EntryFor(unwrapped);
    if (own.seq != kEmpty && own.seq != unwrapped) {
      ++counters_.given_up;
      Drop(own);
    }
    if (gap > 0) {
      const uint64_t due = now_us + options_.reorder_delay_us;
      next_due_us_ = missing_count_ == static_cast<size_t>(gap) ? due : std::min(next_due_us_, due);
    }
    highest_ = unwrapped;
    return false;
  }
  if (unwrapped == highest_) return false;  // duplicate
  Entry& entry = EntryFor(unwrapped);
  if (entry.seq != unwrapped) return false;  // a duplicate, or too late: already given up
  const bool requested = entry.requests > 0;
  Drop(entry);
  ++(requested ? counters_.recovered : counters_.reordered);
  return requested;
}

bool NackGenerator::IsMissing(uint16_t seq) const {
  if (!started_ || missing_count_ == 0) return false;
  const int64_t unwrapped = unwrapper_.PeekUnwrap(seq);
  return unwrapped < highest_ && EntryFor(unwrapped).seq == unwrapped;
}

size_t NackGenerator::Collect(uint64_t now_us, uint64_t rtt_us, std::span<uint16_t> out) {
  if (missing_count_ == 0) return 0;
  const uint64_t interval = std::max(rtt_us, options_.min_retry_interval_us);
  const auto tracked = static_cast<int64_t>(options_.max_tracked);
  size_t written = 0;
  uint64_t next_due = UINT64_MAX;
  for (int64_t seq = highest_ - tracked + 1; seq < highest_; ++seq) {
    Entry& entry = EntryFor(seq);
    if (entry.seq != seq) continue;
    if (now_us - entry.detected_us >= options_.max_age_us) {
      ++counters_.given_up;
      Drop(entry);
      continue;
    }
    const uint64_t due =
        entry.requests == 0 ? entry.detected_us + options_.reorder_delay_us : entry.last_sent_us + interval;
    const uint64_t give_up_us = entry.detected_us + options_.max_age_us;
    if (now_us < due) {
      next_due = std::min(next_due, std::min(due, give_up_us));
      continue;
    }
    if (written == out.size()) {  // due but no room: stays due for the next call
      next_due = now_us;
      continue;
    }
    if (entry.requests >= options_.max_requests) {
      ++counters_.given_up;
      Drop(entry);
      continue;
    }
    out[written++] = static_cast<uint16_t>(seq);
    ++entry.requests;
    entry.last_sent_us = now_us;
    ++counters_.requested;
    // Its next retry, or the moment it is given up (whichever Collect will see first).
    next_due = std::min(next_due, std::min(now_us + interval, give_up_us));
  }
  next_due_us_ = next_due;
  return written;
}

void NackGenerator::Reset() {
  std::fill(entries_.begin(), entries_.end(), Entry{});
  unwrapper_.Reset();
  started_ = false;
  highest_ = 0;
  missing_count_ = 0;
  next_due_us_ = 0;
}

}  // namespace cascade::rtp
