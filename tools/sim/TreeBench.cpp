#include "tools/sim/TreeBench.hpp"

#include <chrono>
#include <iomanip>
#include <vector>

#include "topology/NodePicker.hpp"
#include "topology/RegionSelector.hpp"
#include "topology/TreeBuilder.hpp"

namespace cascade::sim {
namespace {

using Clock = std::chrono::steady_clock;
double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

void RunTreeBench(const topology::LatencyMatrix& latency, std::ostream& out) {
  using namespace topology;
  const size_t regions = latency.Size();
  out << std::fixed << std::setprecision(3);
  for (size_t nodes : {100, 1000, 10000}) {
    // Four edges per relay in every region; every edge has viewers.
    Topology topo(&latency);
    const size_t per_region = std::max<size_t>(5, nodes / regions);
    const size_t relays = std::max<size_t>(1, per_region / 5);
    std::vector<EdgeDemand> demands;
    uint64_t viewers = 1;
    for (size_t r = 0; r < regions; ++r) {
      for (size_t i = 0; i < per_region; ++i) {
        const bool relay = i < relays;
        const NodeId id =
            topo.AddNode(static_cast<RegionId>(r), relay ? NodeRole::kRelay : NodeRole::kEdge, 16);
        if (!relay) demands.push_back({id, viewers++ % 997 + 1});
      }
    }
    const NodeId origin = topo.EdgesIn(0).front();
    const TreeBuilder builder(&topo);
    int runs = 0;
    double total = 0;
    std::string invalid;
    size_t members = 0;
    while (total < 300 && runs < 200) {
      const auto t0 = Clock::now();
      auto built = builder.Build(origin, demands);
      total += Ms(Clock::now() - t0);
      ++runs;
      members = built->tree.Members().size();
      if (runs == 1) invalid = built->tree.Validate();
    }
    auto built = builder.Build(origin, demands);
    StreamTree& tree = built->tree;
    const auto t1 = Clock::now();
    size_t ops = 0;
    for (const EdgeDemand& d : demands) {
      builder.DetachEdge(tree, d.edge);
      (void)builder.AttachEdge(tree, d.edge, d.viewers);
      ops += 2;
    }
    const double incr = Ms(Clock::now() - t1) / static_cast<double>(ops);
    out << "tree build, " << topo.NodeCount() << " nodes (" << regions << " regions, " << members
        << " in tree): " << total / runs << " ms/build over " << runs << " runs; attach/detach "
        << incr * 1000 << " us/op" << (invalid.empty() ? "" : "; INVALID: " + invalid) << "\n";
  }
  // Placements: region ranking plus node choice among 8 edges, as on the simulator's join path.
  std::vector<std::vector<NodeState>> blocks(regions, std::vector<NodeState>(8));
  std::vector<bool> has_edges(regions, true);
  FullThresholds th;
  PickerState state;
  std::vector<RegionId> ranked;
  RoomRegions room;
  const auto t0 = Clock::now();
  constexpr int kPlacements = 2'000'000;
  uint64_t sink = 0;
  for (int i = 0; i < kPlacements; ++i) {
    RankRegions(RegionMode::kCascading, room, static_cast<RegionId>(i % regions), latency, has_edges, ranked);
    auto& block = blocks[ranked.front()];
    const auto pick = PickNode(block, DcPolicy::kLeastUsed, th, JoinKind::kNewUser, state);
    if (pick) {
      block[*pick].load.users = (block[*pick].load.users + 1) % 9000;
      sink += *pick;
    }
  }
  const double s = Ms(Clock::now() - t0) / 1000;
  out << std::setprecision(0) << "placements (cascading + least used, 8 edges/region): " << kPlacements / s
      << " /s (checksum " << sink % 7 << ")\n";
}

}  // namespace cascade::sim
