#include "core/bwe/OveruseDetector.hpp"

#include <doctest/doctest.h>

using cascade::bwe::DelayState;
using cascade::bwe::OveruseDetector;

namespace {
// With 60 deltas the detector compares 60 x 4 x trend with the threshold.
double TrendFor(double modified) { return modified / 240.0; }
}  // namespace

TEST_CASE("OveruseDetector: over-use needs more than 10 ms and two groups above the threshold") {
  OveruseDetector detector;
  CHECK(detector.Detect(TrendFor(100), 1, 5, 0) == DelayState::kNormal);       // too few deltas
  CHECK(detector.Detect(TrendFor(20), 60, 5, 5'000) == DelayState::kNormal);   // 2.5 ms over
  CHECK(detector.Detect(TrendFor(21), 60, 5, 10'000) == DelayState::kNormal);  // 7.5 ms over
  CHECK(detector.Detect(TrendFor(22), 60, 5, 15'000) == DelayState::kOverusing);
  // A falling trend above the threshold does not (re)signal over-use.
  OveruseDetector falling;
  falling.Detect(TrendFor(30), 60, 5, 0);
  falling.Detect(TrendFor(29), 60, 5, 5'000);
  CHECK(falling.Detect(TrendFor(28), 60, 5, 10'000) == DelayState::kNormal);

  CHECK(detector.Detect(TrendFor(-20), 60, 5, 20'000) == DelayState::kUnderusing);
  CHECK(detector.Detect(TrendFor(1), 60, 5, 25'000) == DelayState::kNormal);
}

TEST_CASE("OveruseDetector: the threshold follows |trend| with K_up above and K_down below") {
  OveruseDetector detector;
  CHECK(detector.threshold() == 12.5);
  detector.Detect(TrendFor(20), 60, 5, 1'000'000);  // first update only starts the clock
  CHECK(detector.threshold() == 12.5);
  detector.Detect(TrendFor(20), 60, 5, 1'100'000);  // 100 ms later
  CHECK(detector.threshold() == doctest::Approx(12.5 + 0.0087 * (20 - 12.5) * 100));
  const double after_up = detector.threshold();
  detector.Detect(TrendFor(0), 60, 5, 1'110'000);  // 10 ms later, below: K_down
  const double after_down = after_up + 0.039 * (0 - after_up) * 10;
  CHECK(detector.threshold() == doctest::Approx(after_down));
  // Steps are capped at 100 ms: a 1 s gap moves it no more than 100 ms would.
  detector.Detect(TrendFor(after_down + 10), 60, 5, 2'110'000);
  CHECK(detector.threshold() == doctest::Approx(after_down + 0.0087 * 10 * 100));
  // Clamped at 6.
  for (int i = 0; i < 20; ++i) detector.Detect(0, 60, 5, 2'200'000 + i * 100'000);
  CHECK(detector.threshold() == 6.0);
  // An outlier more than 15 above the threshold does not move it.
  detector.Detect(TrendFor(100), 60, 5, 5'000'000);
  CHECK(detector.threshold() == 6.0);
}
