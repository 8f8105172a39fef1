#include "core/rtp/NackResponder.hpp"

#include <algorithm>
#include <cassert>

namespace cascade::rtp {

NackResponder::NackResponder() : NackResponder(Options{}) {}

NackResponder::NackResponder(Options options) : options_(options), mask_(options.history - 1) {
  assert(options_.history > 0 && options_.history <= 65536 && (options_.history & mask_) == 0);
  entries_.resize(options_.history);
}

NackResponder::Decision NackResponder::Decide(uint16_t seq, bool in_cache, uint64_t rtt_us, uint64_t now_us) {
  ++counters_.requested;
  if (!in_cache) {
    ++counters_.not_in_cache;
    return Decision::kNotInCache;
  }
  const uint64_t window = std::max(rtt_us ? rtt_us : options_.default_rtt_us, options_.min_interval_us);
  Entry& entry = entries_[seq & mask_];
  if (entry.used && entry.seq == seq && now_us >= entry.last_resent_us &&
      now_us - entry.last_resent_us < window) {
    ++counters_.suppressed;
    return Decision::kSuppressed;
  }
  entry.used = true;
  entry.seq = seq;
  entry.last_resent_us = now_us;
  ++counters_.resent;
  return Decision::kResend;
}

void NackResponder::Reset() { std::fill(entries_.begin(), entries_.end(), Entry{}); }

}  // namespace cascade::rtp
