#pragma once
// The throughput the receiver saw: bytes of the packets feedback reported received, over a
// sliding window of their arrival times (draft-ietf-rmcat-gcc-02 §5.5 "R_hat", measured over
// the last 500 ms). Arrivals are summed into 10 ms buckets on a fixed ring, so reordered
// feedback lands in the right bucket and nothing allocates. No value until the window has
// seen `min_span` of arrivals: a rate from two packets says nothing.
#include <array>
#include <cstdint>
#include <optional>

namespace cascade::bwe {

class AcknowledgedBitrate {
 public:
  static constexpr int64_t kBucketUs = 10'000;
  static constexpr size_t kMaxBuckets = 200;
  struct Options {
    int64_t window_us = 500'000;
    int64_t min_span_us = 150'000;
  };

  AcknowledgedBitrate() : AcknowledgedBitrate(Options{}) {}
  explicit AcknowledgedBitrate(Options options);

  void OnPacket(int64_t arrival_us, uint32_t bytes);
  std::optional<uint64_t> bitrate_bps() const;
  void Reset();

 private:
  struct Bucket {
    int64_t index = INT64_MIN;
    uint64_t bytes = 0;
  };
  Bucket& Slot(int64_t index) {
    const auto n = static_cast<int64_t>(buckets_count_);
    return buckets_[static_cast<size_t>(((index % n) + n) % n)];
  }

  Options options_;
  size_t buckets_count_;
  std::array<Bucket, kMaxBuckets> buckets_{};
  int64_t newest_index_ = INT64_MIN;
  int64_t first_arrival_us_ = INT64_MIN;
  int64_t newest_arrival_us_ = INT64_MIN;
};

}  // namespace cascade::bwe
