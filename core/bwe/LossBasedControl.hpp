#pragma once
// draft-ietf-rmcat-gcc-02 §6 loss-based control, with libwebrtc's SendSideBandwidthEstimation
// timing. Loss is summed over windows of at least `min_window_packets` packets and
// `min_window_us`; at the end of each window: under 2 % lost -> increase to 1.08 × the lowest
// value of the last second + 1 kbit/s; 2-10 % -> hold; over 10 % -> multiply by
// (1 - 0.5 × loss), at most once per 300 ms + RTT. The value never exceeds `upper_bps` (the
// delay-based estimate and the REMB, whichever is lower), so with no loss it follows them.
// During the first 2 s, while nothing was lost, it takes the upper bound at once (lets start-up
// probes and REMB count). No allocation: the one-second history is a fixed monotonic ring.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace cascade::bwe {

class LossBasedControl {
 public:
  struct Options {
    uint64_t start_bps = 300'000;
    uint64_t min_bps = 30'000;
    size_t min_window_packets = 20;
    int64_t min_window_us = 500'000;
    double low_loss = 0.02;
    double high_loss = 0.10;
    int64_t decrease_interval_us = 300'000;
    int64_t increase_history_us = 1'000'000;
    int64_t start_phase_us = 2'000'000;
  };
  enum class Change : uint8_t { kNone, kIncrease, kDecrease };

  LossBasedControl() : LossBasedControl(Options{}) {}
  explicit LossBasedControl(Options options);

  // Packets reported (lost + received) and lost since the last call.
  Change OnPacketsReported(size_t reported, size_t lost, uint64_t upper_bps, int64_t rtt_us, int64_t now_us);
  // An RTCP receiver report: its fraction lost (RFC 3550 §6.4.1, in 1/256) is a whole window.
  Change OnFractionLost(uint8_t fraction_lost, uint64_t upper_bps, int64_t rtt_us, int64_t now_us);
  // The upper bound fell (delay-based decrease, lower REMB): follow it down.
  void CapTo(uint64_t upper_bps);
  // A probe proved a higher rate: take it and forget the increase history.
  void Reset(uint64_t bps, int64_t now_us);
  // Before the first loss report the loss side has nothing to say: it starts from whatever
  // the target is when the first report comes.
  void FollowUntilFirstReport(uint64_t bps) {
    if (!first_report_us_) estimate_bps_ = std::max(bps, options_.min_bps);
  }

  bool has_reports() const { return first_report_us_.has_value(); }
  uint64_t estimate_bps() const { return estimate_bps_; }
  // The loss fraction of the last closed window.
  double loss_fraction() const { return static_cast<double>(last_fraction_q8_) / 256.0; }

 private:
  Change Evaluate(uint64_t upper_bps, int64_t rtt_us, int64_t now_us);
  void PushHistory(int64_t now_us);
  uint64_t Set(uint64_t bps, uint64_t upper_bps);

  static constexpr size_t kHistory = 128;
  struct Sample {
    int64_t at_us = 0;
    uint64_t bps = 0;
  };

  Options options_;
  uint64_t estimate_bps_;
  std::optional<int64_t> first_report_us_;
  int64_t window_start_us_ = 0;
  size_t window_reported_ = 0;
  size_t window_lost_ = 0;
  uint32_t last_fraction_q8_ = 0;
  bool decreased_since_report_ = false;
  int64_t last_decrease_us_ = INT64_MIN / 2;
  bool any_loss_ = false;
  // Increasing-by-value ring of (time, estimate) over the last second: front is the minimum.
  std::array<Sample, kHistory> history_{};
  size_t history_head_ = 0;
  size_t history_size_ = 0;
};

}  // namespace cascade::bwe
