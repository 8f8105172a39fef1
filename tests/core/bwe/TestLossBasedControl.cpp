#include "core/bwe/LossBasedControl.hpp"

#include <doctest/doctest.h>

using cascade::bwe::LossBasedControl;
using Change = LossBasedControl::Change;

namespace {
constexpr uint64_t kNoLimit = 100'000'000;
constexpr int64_t kRtt = 100'000;

LossBasedControl::Options LossStartingAt(uint64_t bps) {
  LossBasedControl::Options options;
  options.start_bps = bps;
  options.start_phase_us = 0;  // most cases test the steady rules
  return options;
}
}  // namespace

TEST_CASE("LossBasedControl: a window needs 20 packets and 500 ms") {
  LossBasedControl loss(LossStartingAt(1'000'000));
  CHECK_FALSE(loss.has_reports());
  CHECK(loss.OnPacketsReported(10, 5, kNoLimit, kRtt, 0) == Change::kNone);
  CHECK(loss.has_reports());
  CHECK(loss.OnPacketsReported(100, 50, kNoLimit, kRtt, 400'000) == Change::kNone);  // too soon
  CHECK(loss.OnPacketsReported(10, 5, kNoLimit, kRtt, 500'000) == Change::kDecrease);
  CHECK(loss.loss_fraction() == doctest::Approx(60.0 / 120.0).epsilon(0.01));
  CHECK(loss.estimate_bps() == doctest::Approx(1'000'000 * (1 - 0.5 * 128 / 256.0)).epsilon(0.001));
}

TEST_CASE("LossBasedControl: under 2 % increases, 2-10 % holds, over 10 % cuts once per 300 ms + RTT") {
  LossBasedControl loss(LossStartingAt(1'000'000));
  int64_t now = 0;
  loss.OnPacketsReported(20, 0, kNoLimit, kRtt, now);  // opens the first window
  auto window = [&](size_t lost) {
    now += 500'000;
    return loss.OnPacketsReported(100, lost, kNoLimit, kRtt, now);
  };
  CHECK(window(0) == Change::kIncrease);    // 120 packets, none lost
  CHECK(loss.estimate_bps() == 1'081'000);  // 1.08 x the lowest of the last second + 1 kbit/s
  CHECK(window(5) == Change::kNone);
  CHECK(window(10) == Change::kNone);  // 10 % exactly still holds
  CHECK(window(20) == Change::kDecrease);
  const uint64_t cut = loss.estimate_bps();
  CHECK(cut == static_cast<uint64_t>(1'081'000 * (1 - 0.5 * 51 / 256.0)));  // 20 % is 51/256
  // Another heavy window 300 ms later: within 300 ms + RTT of the last cut, no second cut.
  now -= 200'000;
  CHECK(window(20) == Change::kNone);
  CHECK(window(20) == Change::kDecrease);
  // The increase never exceeds the upper bound (delay-based, REMB).
  now += 500'000;
  CHECK(loss.OnPacketsReported(100, 0, 500'000, kRtt, now) == Change::kDecrease);
  CHECK(loss.estimate_bps() == 500'000);
}

TEST_CASE("LossBasedControl: without loss in the first 2 s it takes the upper bound at once") {
  LossBasedControl::Options options;
  options.start_bps = 300'000;
  LossBasedControl loss(options);
  loss.OnPacketsReported(100, 0, 2'000'000, kRtt, 0);
  CHECK(loss.OnPacketsReported(100, 0, 2'000'000, kRtt, 600'000) == Change::kIncrease);
  CHECK(loss.estimate_bps() == 2'000'000);
  // Receiver reports close a window each.
  CHECK(loss.OnFractionLost(128, 2'000'000, kRtt, 1'000'000) == Change::kDecrease);
  CHECK(loss.estimate_bps() == 1'500'000);
  loss.CapTo(1'000'000);
  CHECK(loss.estimate_bps() == 1'000'000);
  loss.Reset(3'000'000, 2'000'000);
  CHECK(loss.estimate_bps() == 3'000'000);
}
