#pragma once
// draft-ietf-rmcat-gcc-02 §5.5 rate control, as libwebrtc's AimdRateControl refines it. A
// state machine driven by the over-use signal: overusing -> decrease, underusing -> hold,
// normal -> increase (from hold). Increase is multiplicative (8 % per second) while the link
// capacity is unknown or the acknowledged rate has left its confidence band, and additive
// (about one packet per response time, rtt + 100 ms) near the capacity last measured at an
// over-use. A decrease sets 0.85 × the acknowledged bitrate and records that rate as a
// capacity sample. Increases stop at 1.5 × acknowledged + 10 kbit/s so the estimate cannot
// run far ahead of what the sender actually pushes through.
#include <cstdint>
#include <optional>

#include "core/bwe/BweTypes.hpp"

namespace cascade::bwe {

class AimdRateControl {
 public:
  struct Options {
    uint64_t start_bps = 300'000;
    uint64_t min_bps = 30'000;
    uint64_t max_bps = 20'000'000;
    double beta = 0.85;
    double multiplicative_per_second = 1.08;
  };
  enum class State : uint8_t { kHold, kIncrease, kDecrease };

  AimdRateControl() : AimdRateControl(Options{}) {}
  explicit AimdRateControl(Options options);

  // One feedback's verdict. Returns the estimate after it.
  uint64_t Update(DelayState signal, std::optional<uint64_t> acknowledged_bps, int64_t now_us);
  // A probe (or the caller) knows better: jump there.
  void SetEstimate(uint64_t bps, int64_t now_us);
  void SetRtt(int64_t rtt_us) { rtt_us_ = rtt_us; }
  // libwebrtc's TimeToReduceFurther: while over-use persists, cut again at most once per RTT
  // (clamped to 10..200 ms), or at once if the acknowledged rate fell under half the estimate.
  bool TimeToReduceFurther(int64_t now_us, uint64_t acknowledged_bps) const;

  uint64_t estimate_bps() const { return estimate_bps_; }
  State state() const { return state_; }
  bool near_capacity() const { return capacity_kbps_.has_value(); }

 private:
  uint64_t Clamp(double bps) const;
  double MultiplicativeIncrease(int64_t now_us) const;
  double AdditiveIncrease(int64_t now_us) const;
  void OnCapacitySample(double kbps, double alpha);
  double CapacityDeviationKbps() const;

  Options options_;
  State state_ = State::kHold;
  uint64_t estimate_bps_;
  int64_t last_change_us_ = -1;
  int64_t rtt_us_ = 200'000;
  // The link capacity as acknowledged at over-uses: an exponential average and a normalised
  // variance, as libwebrtc's LinkCapacityEstimator.
  std::optional<double> capacity_kbps_;
  double capacity_variance_ = 0.4;
};

}  // namespace cascade::bwe
