#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "topology/Rng.hpp"
#include "topology/TreeBuilder.hpp"

using namespace cascade::topology;

// Random topologies and random sequences of changes: every tree must stay a tree, within
// fan-out, one inbound link per region, and reach every edge with viewers or say it cannot.
TEST_CASE("Every produced tree is a valid tree reaching all edges it can") {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    CAPTURE(seed);
    Rng rng(seed);
    const size_t regions = 3 + rng.Below(12);
    std::vector<std::string> names;
    for (size_t r = 0; r < regions; ++r) names.push_back("r" + std::to_string(r));
    LatencyMatrix m(names);
    for (RegionId r = 0; r < regions; ++r)
      m.SetCoordinates(r, {rng.Unit() * 120 - 60, rng.Unit() * 360 - 180});
    m.FillMissing();
    Topology topo(&m, 0.5);
    const bool ample = seed % 3 == 0;
    std::vector<NodeId> edges;
    for (RegionId r = 0; r < regions; ++r) {
      const size_t relays = (ample ? 2 : 0) + rng.Below(3);
      for (size_t i = 0; i < relays; ++i) {
        topo.AddNode(r, NodeRole::kRelay, ample ? 64 : static_cast<uint32_t>(2 + rng.Below(4)));
      }
      for (size_t i = 0, n = 1 + rng.Below(5); i < n; ++i)
        edges.push_back(topo.AddNode(r, NodeRole::kEdge, 4));
    }
    const NodeId origin = edges[rng.Below(edges.size())];
    std::vector<EdgeDemand> demands;
    for (NodeId e : edges) {
      if (rng.Below(3) != 0) demands.push_back({e, 1 + rng.Below(1000)});
    }
    const TreeBuilder b(&topo);
    auto built = b.Build(origin, demands);
    REQUIRE(built);
    StreamTree& t = built->tree;
    REQUIRE(t.Validate() == "");
    for (const EdgeDemand& d : demands) {
      const bool reached = t.Contains(d.edge);
      const bool reported = std::count(built->unreached.begin(), built->unreached.end(), d.edge) == 1;
      CHECK(reached != reported);
    }
    if (ample) CHECK(built->unreached.empty());

    for (int step = 0; step < 150; ++step) {
      const NodeId e = edges[rng.Below(edges.size())];
      switch (rng.Below(4)) {
        case 0:
        case 1: {
          auto r = b.AttachEdge(t, e, 1 + rng.Below(100));
          CHECK(static_cast<bool>(r) == t.Contains(e));
          break;
        }
        case 2: b.DetachEdge(t, e); break;
        default: {
          const NodeId n = static_cast<NodeId>(rng.Below(topo.NodeCount()));
          if (n == origin || !topo.Node(n).up) break;
          topo.SetUp(n, false);
          auto rep = b.RepairAfterFailure(t, n);
          REQUIRE(rep);
          for (NodeId cut : rep->unreached) CHECK_FALSE(t.Contains(cut));
          if (rng.Below(2)) b.Rebalance(t, 4, 0);
        }
      }
      const std::string problem = t.Validate();
      CAPTURE(step);
      REQUIRE(problem == "");
    }
  }
}

TEST_CASE("Build is deterministic") {
  LatencyMatrix m({"a", "b", "c", "d"});
  for (RegionId r = 0; r < 4; ++r) m.SetCoordinates(r, {10.0 * r, 40.0 * r});
  m.FillMissing();
  Topology topo(&m, 0.5);
  std::vector<EdgeDemand> demands;
  for (RegionId r = 0; r < 4; ++r) {
    topo.AddNode(r, NodeRole::kRelay, 3);
    for (int i = 0; i < 5; ++i) demands.push_back({topo.AddNode(r, NodeRole::kEdge, 3), 7});
  }
  const TreeBuilder b(&topo);
  auto x = b.Build(demands[0].edge, demands);
  auto y = b.Build(demands[0].edge, demands);
  for (NodeId n = 0; n < topo.NodeCount(); ++n) CHECK(x->tree.Parent(n) == y->tree.Parent(n));
}
