#include "core/bwe/TrendlineEstimator.hpp"

#include <algorithm>

namespace cascade::bwe {

TrendlineEstimator::TrendlineEstimator(Options options) : options_(options) {
  options_.window = std::clamp<size_t>(options_.window, 2, kMaxWindow);
}

double TrendlineEstimator::Update(double arrival_delta_ms, double send_delta_ms, int64_t arrival_us) {
  const double delta_ms = arrival_delta_ms - send_delta_ms;
  num_deltas_ = std::min(num_deltas_ + 1, 1000);
  if (first_arrival_us_ < 0) first_arrival_us_ = arrival_us;
  accumulated_ms_ += delta_ms;
  smoothed_ms_ = options_.smoothing * smoothed_ms_ + (1 - options_.smoothing) * accumulated_ms_;

  points_[head_] = {static_cast<double>(arrival_us - first_arrival_us_) / 1000.0, smoothed_ms_};
  head_ = (head_ + 1) % options_.window;
  count_ = std::min(count_ + 1, options_.window);
  if (count_ < options_.window) return trend_;

  double x_mean = 0, y_mean = 0;
  for (size_t i = 0; i < count_; ++i) {
    x_mean += points_[i].x_ms;
    y_mean += points_[i].y_ms;
  }
  x_mean /= static_cast<double>(count_);
  y_mean /= static_cast<double>(count_);
  double numerator = 0, denominator = 0;
  for (size_t i = 0; i < count_; ++i) {
    const double dx = points_[i].x_ms - x_mean;
    numerator += dx * (points_[i].y_ms - y_mean);
    denominator += dx * dx;
  }
  // All points at one arrival time: no slope to fit, keep the last one.
  if (denominator != 0) trend_ = numerator / denominator;
  return trend_;
}

void TrendlineEstimator::Reset() {
  head_ = 0;
  count_ = 0;
  num_deltas_ = 0;
  first_arrival_us_ = -1;
  accumulated_ms_ = 0;
  smoothed_ms_ = 0;
  trend_ = 0;
}

}  // namespace cascade::bwe
