#pragma once
// The delay gradient of draft-ietf-rmcat-gcc-02 §5.3, estimated the way libwebrtc's goog_cc
// does instead of the draft's Kalman filter: the one-way delay variations d(i) of successive
// packet groups are accumulated, smoothed exponentially, and the slope of a least-squares
// line through the last `window` (arrival time, smoothed delay) points is the trend. A
// positive trend means the bottleneck queue is growing. Fixed storage, no allocation.
#include <array>
#include <cstddef>
#include <cstdint>

namespace cascade::bwe {

class TrendlineEstimator {
 public:
  static constexpr size_t kMaxWindow = 64;
  struct Options {
    size_t window = 20;      // groups in the linear fit (at most kMaxWindow)
    double smoothing = 0.9;  // weight of the previous smoothed delay
  };

  TrendlineEstimator() : TrendlineEstimator(Options{}) {}
  explicit TrendlineEstimator(Options options);

  // One group delta. Returns the trend after it (ms of delay per ms of time, unitless).
  double Update(double arrival_delta_ms, double send_delta_ms, int64_t arrival_us);

  double trend() const { return trend_; }
  // Deltas seen so far, capped at 1000 (the detector scales the trend by it up to 60).
  int num_deltas() const { return num_deltas_; }
  void Reset();

 private:
  struct Point {
    double x_ms = 0;
    double y_ms = 0;
  };
  Options options_;
  std::array<Point, kMaxWindow> points_{};
  size_t head_ = 0;  // next write
  size_t count_ = 0;
  int num_deltas_ = 0;
  int64_t first_arrival_us_ = -1;
  double accumulated_ms_ = 0;
  double smoothed_ms_ = 0;
  double trend_ = 0;
};

}  // namespace cascade::bwe
