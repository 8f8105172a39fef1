#include "core/bwe/OveruseDetector.hpp"

#include <algorithm>
#include <cmath>

namespace cascade::bwe {

DelayState OveruseDetector::Detect(double trend, int num_deltas, double send_delta_ms, int64_t arrival_us) {
  if (num_deltas < 2) {
    state_ = DelayState::kNormal;
    return state_;
  }
  modified_trend_ = std::min(num_deltas, kMaxDeltasScale) * trend * options_.threshold_gain;
  if (modified_trend_ > threshold_) {
    // First sample above: assume it has been over for half a group.
    time_over_using_ms_ = time_over_using_ms_ < 0 ? send_delta_ms / 2 : time_over_using_ms_ + send_delta_ms;
    ++overuse_count_;
    if (time_over_using_ms_ > options_.overusing_time_ms && overuse_count_ > 1 && trend >= previous_trend_) {
      time_over_using_ms_ = 0;
      overuse_count_ = 0;
      state_ = DelayState::kOverusing;
    }
  } else if (modified_trend_ < -threshold_) {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    state_ = DelayState::kUnderusing;
  } else {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    state_ = DelayState::kNormal;
  }
  previous_trend_ = trend;
  UpdateThreshold(modified_trend_, arrival_us);
  return state_;
}

void OveruseDetector::UpdateThreshold(double modified_trend, int64_t arrival_us) {
  if (last_threshold_update_us_ < 0) last_threshold_update_us_ = arrival_us;
  const double magnitude = std::fabs(modified_trend);
  if (magnitude > threshold_ + kMaxAdaptOffset) {
    // A spike (a route change, a burst) should not drag the threshold up with it.
    last_threshold_update_us_ = arrival_us;
    return;
  }
  const double k = magnitude < threshold_ ? options_.k_down : options_.k_up;
  const int64_t step_us = std::clamp<int64_t>(arrival_us - last_threshold_update_us_, 0, kMaxThresholdStepUs);
  threshold_ += k * (magnitude - threshold_) * (static_cast<double>(step_us) / 1000.0);
  threshold_ = std::clamp(threshold_, kMinThreshold, kMaxThreshold);
  last_threshold_update_us_ = arrival_us;
}

void OveruseDetector::Reset() {
  state_ = DelayState::kNormal;
  threshold_ = options_.initial_threshold;
  modified_trend_ = 0;
  previous_trend_ = 0;
  time_over_using_ms_ = -1;
  overuse_count_ = 0;
  last_threshold_update_us_ = -1;
}

}  // namespace cascade::bwe
