#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "topology/TreeBuilder.hpp"

using namespace cascade::topology;

namespace {

// Symmetric matrix from an upper-triangle list of RTTs.
LatencyMatrix Matrix(std::vector<std::string> names, const std::vector<std::vector<double>>& rtt) {
  LatencyMatrix m(names);
  for (RegionId i = 0; i < names.size(); ++i) {
    for (RegionId j = 0; j < names.size(); ++j) {
      if (i != j) m.SetRttMs(i, j, rtt[std::min(i, j)][std::max(i, j)]);
    }
  }
  m.FillMissing();
  return m;
}

}  // namespace

TEST_CASE("Tree relays through a region without viewers when that path is shorter") {
  // o-x 20 ms, x-y 20 ms, o-y 100 ms RTT: the triangle inequality fails, as on real routes.
  const LatencyMatrix m = Matrix({"o", "x", "y"}, {{0, 20, 100}, {0, 0, 20}, {0, 0, 0}});
  Topology topo(&m, 0.5);
  const NodeId origin = topo.AddNode(0, NodeRole::kEdge, 4);
  const NodeId rx = topo.AddNode(1, NodeRole::kRelay, 4);
  const NodeId ry = topo.AddNode(2, NodeRole::kRelay, 4);
  const NodeId ey = topo.AddNode(2, NodeRole::kEdge, 4);
  const EdgeDemand demand[] = {{ey, 100}};

  auto built = TreeBuilder(&topo).Build(origin, demand);
  REQUIRE(built);
  const StreamTree& t = built->tree;
  CHECK(t.Validate().empty());
  CHECK(built->unreached.empty());
  CHECK(t.Parent(rx) == origin);
  CHECK(t.Parent(ry) == rx);
  CHECK(t.Parent(ey) == ry);
  CHECK(t.LatencyMs(ey) == doctest::Approx(10.5 + 10.5 + 0.75));  // one-way + 0.5 ms per forward
  CHECK(t.Hops(ey) == 3);
  CHECK(t.InterRegionLinks() == 2);

  TreeOptions direct;
  direct.allow_transit = false;
  auto no_transit = TreeBuilder(&topo, direct).Build(origin, demand);
  CHECK(no_transit->tree.Parent(ry) == origin);
  CHECK(no_transit->tree.LatencyMs(ey) == doctest::Approx(50.5 + 0.75));
  CHECK_FALSE(no_transit->tree.Contains(rx));
}

TEST_CASE("Origin fan-out bounds the tree; the extra region hangs off the nearest other one") {
  // Origin region far from a, b, c (100 ms); a, b, c close to each other (20 ms).
  const LatencyMatrix m =
      Matrix({"o", "a", "b", "c"}, {{0, 100, 100, 110}, {0, 0, 20, 20}, {0, 0, 0, 20}, {0, 0, 0, 0}});
  Topology topo(&m, 0.5);
  const NodeId origin = topo.AddNode(0, NodeRole::kEdge, 2);
  std::vector<EdgeDemand> demands;
  for (RegionId r = 1; r <= 3; ++r) {
    topo.AddNode(r, NodeRole::kRelay, 4);
    demands.push_back({topo.AddNode(r, NodeRole::kEdge, 0), 10});
  }
  auto built = TreeBuilder(&topo).Build(origin, demands);
  REQUIRE(built);
  const StreamTree& t = built->tree;
  CHECK(t.Validate().empty());
  CHECK(built->unreached.empty());
  CHECK(t.Children(origin).size() == 2);
  // c is the farthest from o, so it is the one fed through a or b: 50.5 + 10.5 + 0.75.
  const NodeId relay_c = topo.RelaysIn(3).front();
  CHECK(t.Parent(relay_c) != origin);
  CHECK(t.LatencyMs(demands[2].edge) == doctest::Approx(61.75));
  CHECK(t.InterRegionLinks() == 3);  // each region receives the stream once
}

TEST_CASE("A relay-only level appears when a region's edges exceed the ingress fan-out") {
  const LatencyMatrix m = Matrix({"o", "r"}, {{0, 40}, {0, 0}});
  Topology topo(&m, 0.5);
  const NodeId origin = topo.AddNode(0, NodeRole::kEdge, 4);
  for (int i = 0; i < 4; ++i) topo.AddNode(1, NodeRole::kRelay, 3);
  std::vector<EdgeDemand> demands;
  for (int i = 0; i < 7; ++i)
    demands.push_back({topo.AddNode(1, NodeRole::kEdge, 0), 100 - static_cast<uint64_t>(i)});
  auto built = TreeBuilder(&topo).Build(origin, demands);
  REQUIRE(built);
  const StreamTree& t = built->tree;
  CHECK(t.Validate().empty());
  CHECK(built->unreached.empty());
  // Ingress with 3 slots; 7 edges need two more relays: 1 edge beside them, 6 below them.
  size_t relays = 0;
  for (NodeId r : topo.RelaysIn(1)) relays += t.Contains(r) ? 1 : 0;
  CHECK(relays == 3);
  CHECK(t.Hops(demands[0].edge) == 2);  // the heaviest edge sits right below the ingress
  for (size_t i = 1; i < demands.size(); ++i) CHECK(t.Hops(demands[i].edge) == 3);

  // Three relays of fan-out 3 cannot feed 8 edges (3 + 2 + 2 = 7 slots): one is reported.
  demands.push_back({topo.AddNode(1, NodeRole::kEdge, 0), 1});
  for (NodeId r : topo.RelaysIn(1)) {
    if (r != topo.RelaysIn(1).front()) topo.SetMaxChildren(r, r == topo.RelaysIn(1).back() ? 0 : 3);
  }
  auto tight = TreeBuilder(&topo).Build(origin, demands);
  CHECK(tight->tree.Validate().empty());
  CHECK(tight->unreached == std::vector<NodeId>{demands.back().edge});
}

TEST_CASE("Attach and detach grow and prune the tree one edge at a time") {
  const LatencyMatrix m = Matrix({"o", "a"}, {{0, 30}, {0, 0}});
  Topology topo(&m, 0.5);
  const NodeId origin = topo.AddNode(0, NodeRole::kEdge, 4);
  const NodeId relay = topo.AddNode(1, NodeRole::kRelay, 2);
  const NodeId spare = topo.AddNode(1, NodeRole::kRelay, 2);
  const NodeId e1 = topo.AddNode(1, NodeRole::kEdge, 0);
  const NodeId e2 = topo.AddNode(1, NodeRole::kEdge, 0);
  const NodeId e3 = topo.AddNode(1, NodeRole::kEdge, 0);
  const TreeBuilder b(&topo);
  auto built = b.Build(origin, {});
  StreamTree& t = built->tree;
  CHECK(t.Members().size() == 1);

  CHECK(*b.AttachEdge(t, e1, 5) == 2);  // new region: relay uplink + edge
  CHECK(*b.AttachEdge(t, e2, 5) == 1);
  CHECK(t.Children(relay).size() == 2);
  // Relay full: the spare is pushed in under it, taking one edge along (2 links) + the new edge.
  CHECK(*b.AttachEdge(t, e3, 5) == 3);
  CHECK(t.Contains(spare));
  CHECK(t.Validate().empty());
  CHECK(b.AttachEdge(t, relay, 1).error() == TreeError::kNotAnEdge);

  b.DetachEdge(t, e3);
  b.DetachEdge(t, e2);
  b.DetachEdge(t, e1);
  CHECK(t.Validate().empty());
  CHECK(t.Members().size() == 1);  // relays with nothing below are pruned
  CHECK(t.Ingress(1) == kNoNode);
}

TEST_CASE("A failed ingress relay is replaced by a spare; without one its children are re-homed") {
  const LatencyMatrix m = Matrix({"o", "a", "b"}, {{0, 30, 40}, {0, 0, 20}, {0, 0, 0}});
  Topology topo(&m, 0.5);
  const NodeId origin = topo.AddNode(0, NodeRole::kEdge, 4);
  const NodeId ra = topo.AddNode(1, NodeRole::kRelay, 4);
  const NodeId spare = topo.AddNode(1, NodeRole::kRelay, 4);
  const NodeId rb = topo.AddNode(2, NodeRole::kRelay, 4);
  const NodeId ea = topo.AddNode(1, NodeRole::kEdge, 0);
  const NodeId eb = topo.AddNode(2, NodeRole::kEdge, 0);
  const EdgeDemand demands[] = {{ea, 10}, {eb, 10}};
  const TreeBuilder b(&topo);
  auto built = b.Build(origin, demands);
  StreamTree& t = built->tree;
  REQUIRE(t.Contains(ra));
  REQUIRE(t.Ingress(1) == ra);

  topo.SetUp(ra, false);
  auto rep = b.RepairAfterFailure(t, ra);
  REQUIRE(rep);
  CHECK(rep->unreached.empty());
  CHECK(rep->links_changed == 3);  // old uplink gone, spare uplink, one child moved
  CHECK(t.Ingress(1) == spare);
  CHECK(t.Parent(ea) == spare);
  CHECK(t.Validate().empty());

  // No relay left in a: its edge becomes the region's ingress, fed from another region.
  topo.SetUp(spare, false);
  rep = b.RepairAfterFailure(t, spare);
  REQUIRE(rep);
  CHECK(rep->unreached.empty());
  CHECK(t.Contains(ea));
  CHECK(t.Ingress(1) == ea);
  CHECK(topo.Node(t.Parent(ea)).region != 1);
  CHECK(t.Validate().empty());
  CHECK(t.Contains(eb));
  CHECK(b.RepairAfterFailure(t, origin).error() == TreeError::kOriginFailed);
  (void)rb;
}

TEST_CASE("Rebalance moves a region under a closer parent and never raises the worst case") {
  const LatencyMatrix m = Matrix({"o", "a", "b"}, {{0, 20, 100}, {0, 0, 100}, {0, 0, 0}});
  Topology topo(&m, 0.5);
  const NodeId origin = topo.AddNode(0, NodeRole::kEdge, 4);
  const NodeId ra = topo.AddNode(1, NodeRole::kRelay, 4);
  const NodeId rb = topo.AddNode(2, NodeRole::kRelay, 4);
  const NodeId ea = topo.AddNode(1, NodeRole::kEdge, 0);
  const NodeId eb = topo.AddNode(2, NodeRole::kEdge, 0);
  StreamTree t(&topo, origin);
  // A poor tree by hand: b fed through a (10 + 50 ms) instead of from o (50 ms).
  t.Link(origin, ra);
  t.Link(ra, ea);
  t.Link(ra, rb);
  t.Link(rb, eb);
  t.SetViewers(ea, 1);
  t.SetViewers(eb, 1000);
  const double before = t.LatencyMs(eb);
  const TreeBuilder b(&topo);
  CHECK(b.Rebalance(t, 10, 1e9) == 0);  // too costly to move
  CHECK(b.Rebalance(t, 10, 0) == 1);
  CHECK(t.Parent(rb) == origin);
  CHECK(t.LatencyMs(eb) < before);
  CHECK(t.LatencyMs(ea) == doctest::Approx(10.5 + 0.75));
  CHECK(t.Validate().empty());
}
