#include "core/bwe/AimdRateControl.hpp"

#include <doctest/doctest.h>

using cascade::bwe::AimdRateControl;
using cascade::bwe::DelayState;

namespace {
AimdRateControl::Options AimdStartingAt(uint64_t bps) {
  AimdRateControl::Options options;
  options.start_bps = bps;
  return options;
}
}  // namespace

TEST_CASE("AimdRateControl: multiplicative increase of 8 % per second far from congestion") {
  AimdRateControl rate(AimdStartingAt(1'000'000));
  rate.Update(DelayState::kNormal, 1'000'000, 0);  // hold -> increase: the 1 kbit/s minimum step
  CHECK(rate.estimate_bps() == 1'001'000);
  for (int i = 1; i <= 10; ++i) rate.Update(DelayState::kNormal, 1'000'000, i * 100'000);
  CHECK(rate.estimate_bps() == doctest::Approx(1'001'000 * 1.08).epsilon(0.002));
  CHECK(rate.state() == AimdRateControl::State::kIncrease);
  CHECK_FALSE(rate.near_capacity());
}

TEST_CASE("AimdRateControl: increases stop at 1.5 x acknowledged + 10 kbit/s") {
  AimdRateControl rate(AimdStartingAt(1'000'000));
  for (int i = 0; i <= 200; ++i) rate.Update(DelayState::kNormal, 500'000, i * 100'000);
  CHECK(rate.estimate_bps() == 1'000'000);  // already above 760 kbit/s: no increase, no cut
  AimdRateControl low(AimdStartingAt(700'000));
  for (int i = 0; i <= 200; ++i) low.Update(DelayState::kNormal, 500'000, i * 100'000);
  CHECK(low.estimate_bps() == 760'000);
}

TEST_CASE("AimdRateControl: over-use cuts to 0.85 x acknowledged, then increases additively") {
  AimdRateControl rate(AimdStartingAt(2'000'000));
  rate.SetRtt(100'000);
  rate.Update(DelayState::kNormal, 1'500'000, 0);
  rate.Update(DelayState::kOverusing, 1'000'000, 100'000);
  CHECK(rate.estimate_bps() == 850'000);
  CHECK(rate.state() == AimdRateControl::State::kHold);
  CHECK(rate.near_capacity());
  // Near the capacity just measured: about one packet per (rtt + 100 ms) per second.
  // The first normal feedback only enters the increase state.
  for (int i = 1; i <= 4; ++i) rate.Update(DelayState::kNormal, 850'000, 100'000 + i * 100'000);
  const double frame_bits = 850'000 / 30.0;  // 3542 bytes: 3 packets of ~1180 bytes
  const double per_second = frame_bits / 3 / 0.2;
  CHECK(rate.estimate_bps() == doctest::Approx(850'000 + per_second * 0.3).epsilon(0.001));
  for (int i = 5; i <= 10; ++i) rate.Update(DelayState::kNormal, 850'000, 100'000 + i * 100'000);
  CHECK(rate.estimate_bps() > 870'000);
  CHECK(rate.estimate_bps() < 850'000 * 1.05);  // well under the multiplicative 8 %/s
  // Under-use holds.
  const uint64_t held = rate.estimate_bps();
  rate.Update(DelayState::kUnderusing, 850'000, 2'000'000);
  rate.Update(DelayState::kUnderusing, 850'000, 3'000'000);
  CHECK(rate.estimate_bps() == held);
  CHECK(rate.state() == AimdRateControl::State::kHold);
}

TEST_CASE("AimdRateControl: a cut is repeated at most once per RTT unless throughput collapsed") {
  AimdRateControl rate(AimdStartingAt(2'000'000));
  rate.SetRtt(100'000);
  rate.Update(DelayState::kOverusing, 2'000'000, 1'000'000);
  CHECK(rate.estimate_bps() == 1'700'000);
  CHECK_FALSE(rate.TimeToReduceFurther(1'050'000, 1'500'000));
  CHECK(rate.TimeToReduceFurther(1'100'000, 1'500'000));
  CHECK(rate.TimeToReduceFurther(1'050'000, 800'000));  // under half the estimate
  // Clamped to min and max.
  rate.SetEstimate(1, 2'000'000);
  CHECK(rate.estimate_bps() == 30'000);
  rate.SetEstimate(UINT64_MAX / 2, 2'000'000);
  CHECK(rate.estimate_bps() == 20'000'000);
}
