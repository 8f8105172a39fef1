#include "core/bwe/AcknowledgedBitrate.hpp"

#include <algorithm>

namespace cascade::bwe {

AcknowledgedBitrate::AcknowledgedBitrate(Options options)
    : options_(options),
      buckets_count_(
          static_cast<size_t>(std::clamp<int64_t>(options.window_us / kBucketUs, 1, kMaxBuckets))) {}

void AcknowledgedBitrate::OnPacket(int64_t arrival_us, uint32_t bytes) {
  // Floor division: arrival times may be negative on the receiver's clock.
  const int64_t index = arrival_us / kBucketUs - (arrival_us % kBucketUs < 0 ? 1 : 0);
  const auto n = static_cast<int64_t>(buckets_count_);
  if (newest_index_ != INT64_MIN && index <= newest_index_ - n) return;  // older than the window
  if (first_arrival_us_ == INT64_MIN || arrival_us < first_arrival_us_) first_arrival_us_ = arrival_us;
  newest_arrival_us_ = std::max(newest_arrival_us_, arrival_us);
  newest_index_ = std::max(newest_index_, index);
  Bucket& bucket = Slot(index);
  if (bucket.index != index) bucket = {index, 0};
  bucket.bytes += bytes;
}

std::optional<uint64_t> AcknowledgedBitrate::bitrate_bps() const {
  if (newest_index_ == INT64_MIN) return std::nullopt;
  const auto n = static_cast<int64_t>(buckets_count_);
  const int64_t window_us = n * kBucketUs;
  const int64_t span_us = std::min(window_us, newest_arrival_us_ - first_arrival_us_);
  if (span_us < options_.min_span_us) return std::nullopt;
  uint64_t bytes = 0;
  for (size_t i = 0; i < buckets_count_; ++i) {
    if (buckets_[i].index > newest_index_ - n && buckets_[i].index <= newest_index_)
      bytes += buckets_[i].bytes;
  }
  return bytes * 8 * 1'000'000 / static_cast<uint64_t>(span_us);
}

void AcknowledgedBitrate::Reset() {
  buckets_ = {};
  newest_index_ = INT64_MIN;
  first_arrival_us_ = INT64_MIN;
  newest_arrival_us_ = INT64_MIN;
}

}  // namespace cascade::bwe
