#include "core/bwe/TrendlineEstimator.hpp"

#include <doctest/doctest.h>

using cascade::bwe::TrendlineEstimator;

namespace {

// Groups every 5 ms of send time; each arrives `growth_ms` later than the send spacing.
double Feed(TrendlineEstimator& trendline, int groups, double growth_ms) {
  int64_t arrival_us = 1'000'000;
  double trend = 0;
  for (int i = 0; i < groups; ++i) {
    arrival_us += static_cast<int64_t>((5.0 + growth_ms) * 1000);
    trend = trendline.Update(5.0 + growth_ms, 5.0, arrival_us);
  }
  return trend;
}

}  // namespace

TEST_CASE("TrendlineEstimator: a steady queue has no trend, a growing one a positive slope") {
  TrendlineEstimator steady;
  CHECK(Feed(steady, 100, 0.0) == doctest::Approx(0.0));

  TrendlineEstimator growing;
  // Before the window (20 groups) is full there is no fit yet.
  CHECK(Feed(growing, 19, 1.0) == 0.0);
  const double early = growing.Update(6.0, 5.0, 2'000'000);
  CHECK(early > 0.0);
  // Delay grows 1 ms per 6 ms of arrival time: the smoothed slope tends to 1/6.
  TrendlineEstimator long_run;
  CHECK(Feed(long_run, 300, 1.0) == doctest::Approx(1.0 / 6.0).epsilon(0.02));
  CHECK(long_run.num_deltas() == 300);

  TrendlineEstimator draining;
  CHECK(Feed(draining, 100, -1.0) < 0.0);
}

TEST_CASE("TrendlineEstimator: Reset forgets the history") {
  TrendlineEstimator trendline;
  Feed(trendline, 50, 2.0);
  CHECK(trendline.trend() > 0.0);
  trendline.Reset();
  CHECK(trendline.trend() == 0.0);
  CHECK(trendline.num_deltas() == 0);
}
