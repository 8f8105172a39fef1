#include <doctest/doctest.h>

#include "tools/cascade/MeshSummary.hpp"

using namespace cascade::tools;

namespace {

MeshSnapshot ThreeRegions() {
  MeshSnapshot s;
  s.regions = {"europe-west1", "us-east1", "asia-northeast1"};
  s.log_file = "/tmp/up.log";
  s.nodes = {{"edge-asia-northeast1-1", "edge", "asia-northeast1", true, 3, 0},
             {"edge-europe-west1-1", "edge", "europe-west1", true, 2, 1, 3.4},
             {"edge-us-east1-1", "edge", "us-east1", true, std::nullopt, std::nullopt},
             {"relay-asia-northeast1-1", "relay", "asia-northeast1", true, std::nullopt, std::nullopt},
             {"relay-us-east1-1", "relay", "us-east1", false, std::nullopt, std::nullopt}};
  MeshSnapshot::Link far{"edge-europe-west1-1", "relay-asia-northeast1-1", true, 233.4, 0.0, 1.04, 115.2};
  MeshSnapshot::Link local{
      "relay-asia-northeast1-1", "edge-asia-northeast1-1", true, 0.3, 0.0, 0.0, std::nullopt};
  MeshSnapshot::Link pending{"edge-europe-west1-1", "edge-us-east1-1", false, {}, {}, {}, std::nullopt};
  s.rooms["demo"] = {far, local, pending};
  return s;
}

}  // namespace

TEST_CASE("The mesh summary lists regions in order, then each room's tree indented under its origin") {
  std::string text = FormatMeshSummary(ThreeRegions());
  CHECK(text ==
        "up: 4/5 nodes alive, 1 room with a tree  (node logs: /tmp/up.log)\n"
        "  europe-west1       1/1 alive  viewers 2 (edge-europe-west1-1 2 +1 publisher)  cpu up to 3%\n"
        "  us-east1           1/2 alive  viewers 0 (edge-us-east1-1 ?)  DOWN: relay-us-east1-1\n"
        "  asia-northeast1    2/2 alive  viewers 3 (edge-asia-northeast1-1 3)\n"
        "  room demo\n"
        "    edge-europe-west1-1  1 publisher, 2 viewers\n"
        "    ├─ relay-asia-northeast1-1  via emulator 115 ms each way  rtt 233 ms  loss 0.00% (1.04% before "
        "repair)\n"
        "    │  └─ edge-asia-northeast1-1  3 viewers  rtt <1 ms  loss 0.00%\n"
        "    └─ edge-us-east1-1  (linking)\n");
}

TEST_CASE("The summary's shape leaves out RTT and loss, so changing figures alone do not reprint it") {
  MeshSnapshot a = ThreeRegions();
  MeshSnapshot b = ThreeRegions();
  b.rooms["demo"][0].rtt_ms = 250;
  b.rooms["demo"][0].loss_pct = 0.5;
  b.nodes[1].cpu_percent = 40;
  CHECK(FormatMeshSummary(a, false) == FormatMeshSummary(b, false));
  CHECK(FormatMeshSummary(a) != FormatMeshSummary(b));
  CHECK(FormatMeshSummary(a, false).find("rtt") == std::string::npos);
  b.nodes[0].viewers = 4;  // a viewer joined: the shape changed
  CHECK(FormatMeshSummary(a, false) != FormatMeshSummary(b, false));
}

TEST_CASE("A mesh without trees says so, and a region's nodes absent from the list still show") {
  MeshSnapshot s;
  s.regions = {"europe-west1"};
  s.nodes = {{"edge-1", "edge", "local", true, 0, 0}};
  CHECK(FormatMeshSummary(s) ==
        "up: 1/1 nodes alive, no room has a tree yet\n"
        "  local              1/1 alive  viewers 0 (edge-1 0)\n");
}
