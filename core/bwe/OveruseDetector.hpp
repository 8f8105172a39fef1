#pragma once
// draft-ietf-rmcat-gcc-02 §5.4 over-use detector with its adaptive threshold §5.4 (eq. 4):
// the trend, scaled by min(deltas, 60) and a gain of 4 (libwebrtc's trendline scaling),
// is compared with a threshold gamma that follows |trend| at K_u = 0.0087 per ms when above
// it and K_d = 0.039 per ms when below, clamped to [6, 600] and not moved by outliers more
// than 15 ms above it. Over-use is signalled once the trend has been above gamma for more
// than 10 ms and at least two groups, and is not falling.
#include <cstdint>

#include "core/bwe/BweTypes.hpp"

namespace cascade::bwe {

class OveruseDetector {
 public:
  struct Options {
    double initial_threshold = 12.5;
    double k_up = 0.0087;
    double k_down = 0.039;
    double threshold_gain = 4.0;
    double overusing_time_ms = 10.0;
  };
  static constexpr int kMaxDeltasScale = 60;
  static constexpr double kMaxAdaptOffset = 15.0;
  static constexpr double kMinThreshold = 6.0;
  static constexpr double kMaxThreshold = 600.0;
  static constexpr int64_t kMaxThresholdStepUs = 100'000;

  OveruseDetector() : OveruseDetector(Options{}) {}
  explicit OveruseDetector(Options options) : options_(options), threshold_(options.initial_threshold) {}

  // After each trendline update: the trend, the number of deltas behind it, the send-time
  // delta of the group (ms) and the group's arrival time.
  DelayState Detect(double trend, int num_deltas, double send_delta_ms, int64_t arrival_us);

  DelayState state() const { return state_; }
  double threshold() const { return threshold_; }
  double modified_trend() const { return modified_trend_; }
  void Reset();

 private:
  void UpdateThreshold(double modified_trend, int64_t arrival_us);

  Options options_;
  DelayState state_ = DelayState::kNormal;
  double threshold_;
  double modified_trend_ = 0;
  double previous_trend_ = 0;
  double time_over_using_ms_ = -1;
  int overuse_count_ = 0;
  int64_t last_threshold_update_us_ = -1;
};

}  // namespace cascade::bwe
