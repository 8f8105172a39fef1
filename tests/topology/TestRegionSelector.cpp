#include <doctest/doctest.h>

#include "topology/RegionSelector.hpp"

using namespace cascade::topology;

namespace {

// Four regions on a line: a -10- b -10- c -10- d (RTT ms).
LatencyMatrix Line() {
  LatencyMatrix m({"a", "b", "c", "d"});
  for (RegionId i = 0; i < 4; ++i) {
    for (RegionId j = 0; j < 4; ++j) {
      if (i != j) m.SetRttMs(i, j, 10.0 * (i > j ? i - j : j - i));
    }
  }
  m.FillMissing();
  return m;
}

}  // namespace

TEST_CASE("Region modes anchor on the first user, the application, the client or the publisher") {
  const LatencyMatrix m = Line();
  const std::vector<bool> all(4, true);
  RoomRegions room;
  room.first_user = 0;
  room.application = 3;
  room.publisher = 1;
  std::vector<RegionId> out;
  struct Case {
    RegionMode mode;
    std::vector<RegionId> expected;
  };
  const Case cases[] = {
      {RegionMode::kFirstInRoom, {0, 1, 2, 3}},
      {RegionMode::kApplicationSpecific, {3, 2, 1, 0}},
      {RegionMode::kCascading, {2, 1, 3, 0}},  // client in c; b before d on the tie (lower id)
      {RegionMode::kSenderDecides, {1, 0, 2, 3}},
  };
  for (const Case& c : cases) {
    CAPTURE(ToString(c.mode));
    RankRegions(c.mode, room, 2, m, all, out);
    CHECK(out == c.expected);
  }
  // Without an anchor yet, every mode falls back to the client's own region.
  for (uint8_t i = 0; i < static_cast<uint8_t>(RegionMode::kCount); ++i) {
    CHECK(AnchorRegion(static_cast<RegionMode>(i), RoomRegions{}, 3) == 3);
  }
  // Regions without edges are skipped; overflow goes to the next nearest.
  RankRegions(RegionMode::kCascading, room, 2, m, {true, true, false, true}, out);
  CHECK(out == std::vector<RegionId>{1, 3, 0});
  CHECK(ParseRegionMode("sender-decides") == RegionMode::kSenderDecides);
  CHECK_FALSE(ParseRegionMode("x"));
}

TEST_CASE("NearestRegionTo maps a location to the closest region with coordinates") {
  LatencyMatrix m({"paris", "tokyo", "nowhere"});
  m.SetCoordinates(0, {48.85, 2.35});
  m.SetCoordinates(1, {35.68, 139.69});
  CHECK(NearestRegionTo(m, {51.5, -0.12}) == 0);    // London
  CHECK(NearestRegionTo(m, {37.56, 126.97}) == 1);  // Seoul
  CHECK(NearestRegionTo(LatencyMatrix({"x"}), {0, 0}) == kNoRegion);
}
