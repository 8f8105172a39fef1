#include "core/bwe/SendHistory.hpp"

#include <algorithm>

namespace cascade::bwe {

SendHistory::SendHistory(Options options)
    : options_(options), records_(std::max<size_t>(options.capacity, 1)) {}

int64_t SendHistory::OnPacketSent(uint16_t seq, size_t bytes, int64_t send_us, int16_t probe_cluster) {
  const int64_t unwrapped = unwrapper_.Unwrap(seq);
  Record& record = Slot(unwrapped);
  record.seq = unwrapped;
  record.send_us = send_us;
  record.bytes = static_cast<uint32_t>(std::min<size_t>(bytes, UINT32_MAX));
  record.probe_cluster = probe_cluster;
  record.reported = Reported::kNotYet;
  sent_any_ = true;
  ++packets_sent_;
  return unwrapped;
}

SendHistory::Found SendHistory::Find(int64_t seq, int64_t now_us) {
  Record& record = Slot(seq);
  if (record.seq != seq) return {Lookup::kUnknown, nullptr};
  if (now_us - record.send_us > static_cast<int64_t>(options_.max_age_us)) return {Lookup::kExpired, nullptr};
  return {Lookup::kFound, &record};
}

}  // namespace cascade::bwe
