#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "tools/sim/GeoIpResolver.hpp"
#include "tools/sim/LatencyLoader.hpp"

using namespace cascade;

TEST_CASE("The GCP matrix loads with 20 regions, measured values and coordinates") {
  const auto files = sim::DatasetPaths(CASCADE_SIM_DATA_DIR, "gcp");
  const topology::LatencyMatrix m = sim::LoadLatencyMatrix(files.matrix, files.coords);
  REQUIRE(m.Size() == 20);
  const auto tw = m.Find("asia-east1"), hk = m.Find("asia-east2");
  REQUIRE(tw);
  REQUIRE(hk);
  CHECK(m.RttMs(*tw, *hk) == doctest::Approx(18.908));
  CHECK(m.SourceOf(*tw, *hk) == topology::LatencyMatrix::Source::kMeasured);
  for (topology::RegionId r = 0; r < 20; ++r) CHECK(m.Coordinates(r).has_value());
  // Fitted route factor: real routes are longer than great circles, but not absurdly.
  CHECK(m.RouteFactor() > 1.0);
  CHECK(m.RouteFactor() < 3.0);
  const auto w = sim::LoadRegionWeights(files.weights, m);
  CHECK(w.size() == 20);
  CHECK(w[*m.Find("asia-south1")] == 12);
}

TEST_CASE("The Azure matrix fills gaps from coordinates where it can") {
  const auto files = sim::DatasetPaths(CASCADE_SIM_DATA_DIR, "azure");
  const topology::LatencyMatrix m = sim::LoadLatencyMatrix(files.matrix, files.coords);
  CHECK(m.Size() == 76);
  const auto a = m.Find("East US"), b = m.Find("West Europe");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(m.RttMs(*a, *b) > 50);
  CHECK(m.RttMs(*a, *b) < 150);
  // Blank cells are either filled (reverse direction or coordinates) or stay NaN when a
  // region has no coordinates; none is left as a bogus zero.
  size_t measured = 0;
  for (topology::RegionId i = 0; i < m.Size(); ++i) {
    for (topology::RegionId j = 0; j < m.Size(); ++j) {
      if (i == j) continue;
      const auto source = m.SourceOf(i, j);
      measured += source == topology::LatencyMatrix::Source::kMeasured ? 1 : 0;
      CHECK(std::isnan(m.RttMs(i, j)) == (source == topology::LatencyMatrix::Source::kMissing));
    }
  }
  CHECK(measured > 76 * 70);
}

TEST_CASE("Loader errors name the file") {
  CHECK_THROWS_WITH_AS(sim::LoadLatencyMatrix("/nonexistent/m.csv", ""), "cannot read /nonexistent/m.csv",
                       std::runtime_error);
  CHECK_THROWS_AS(sim::DatasetPaths(".", "aws"), std::runtime_error);
}

TEST_CASE("A missing GeoIP database fails clearly") {
  std::string error;
  auto geo = sim::GeoIpResolver::Open("/nonexistent/GeoLite2-City.mmdb", error);
  CHECK(geo == nullptr);
  CHECK(error.find("/nonexistent/GeoLite2-City.mmdb") != std::string::npos);
}
