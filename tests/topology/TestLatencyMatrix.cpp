#include <doctest/doctest.h>

#include <cmath>

#include "topology/GeoDistance.hpp"
#include "topology/LatencyMatrix.hpp"

using namespace cascade::topology;

TEST_CASE("GreatCircleKm matches known city distances") {
  // London - New York is about 5,570 km; Sydney - Tokyo about 7,800 km.
  CHECK(GreatCircleKm({51.5074, -0.1278}, {40.7128, -74.0060}) == doctest::Approx(5570).epsilon(0.01));
  CHECK(GreatCircleKm({-33.8688, 151.2093}, {35.6762, 139.6503}) == doctest::Approx(7820).epsilon(0.01));
  CHECK(GreatCircleKm({10, 10}, {10, 10}) == doctest::Approx(0));
  CHECK(FibreRttMs(1000, 1.0, 0) == doctest::Approx(10));  // 2 x 1000 km at 200 km/ms
}

TEST_CASE("LatencyMatrix fills from the reverse direction, then from coordinates") {
  LatencyMatrix m({"a", "b", "c", "d"});
  m.SetRttMs(0, 1, 40);
  m.SetCoordinates(0, {0, 0});
  m.SetCoordinates(2, {0, 90});  // a quarter of the equator, ~10,000 km
  CHECK(std::isnan(m.RttMs(1, 0)));
  CHECK(m.FillMissing() > 0);
  CHECK(m.RttMs(1, 0) == 40);
  CHECK(m.SourceOf(1, 0) == LatencyMatrix::Source::kEstimated);
  CHECK(m.SourceOf(0, 1) == LatencyMatrix::Source::kMeasured);
  // Fewer than five measured pairs with coordinates: default route factor 1.5.
  CHECK(m.RouteFactor() == 1.5);
  CHECK(m.RttMs(0, 2) == doctest::Approx(FibreRttMs(GreatCircleKm({0, 0}, {0, 90}), 1.5, 2.0)));
  CHECK(std::isnan(m.RttMs(0, 3)));  // no coordinates for d
  CHECK(m.OneWayMs(0, 1) == 20);
  CHECK(m.RttMs(2, 2) == 0.5);
  CHECK(m.Find("c") == RegionId{2});
  CHECK_FALSE(m.Find("z"));
}

TEST_CASE("LatencyMatrix fits the route factor on measured pairs") {
  // Five regions on the equator, each measured pair at exactly twice the straight fibre time.
  LatencyMatrix m({"a", "b", "c", "d", "e"});
  for (RegionId i = 0; i < 5; ++i) m.SetCoordinates(i, {0, 20.0 * i});
  for (RegionId i = 0; i < 5; ++i) {
    for (RegionId j = 0; j < 5; ++j) {
      if (i == j || (i == 0 && j == 4) || (i == 4 && j == 0)) continue;
      const double km = GreatCircleKm({0, 20.0 * i}, {0, 20.0 * j});
      m.SetRttMs(i, j, FibreRttMs(km, 2.0, LatencyMatrix::kBaseRttMs));
    }
  }
  m.FillMissing();
  CHECK(m.RouteFactor() == doctest::Approx(2.0));
  CHECK(m.RttMs(0, 4) == doctest::Approx(FibreRttMs(GreatCircleKm({0, 0}, {0, 80}), 2.0, 2.0)));
  // Nearest order: itself, then by distance.
  CHECK(m.NearestOrder(0) == std::vector<RegionId>{0, 1, 2, 3, 4});
  CHECK(m.NearestOrder(2)[0] == 2);
}
