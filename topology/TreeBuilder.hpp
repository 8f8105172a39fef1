#pragma once
// Builds and maintains one stream's tree over a Topology.
//
// Build: a capacity-aware shortest-path tree over regions (Dijkstra that only extends from
// regions with child slots left; regions without viewers may relay for others when that is
// shorter or when fan-out runs out), then inside each region a relay tree whose relay-only
// levels appear only when the region's deliveries (child regions first, then local edges by
// viewers) exceed the ingress's fan-out, then a local search (Rebalance). Each region receives
// the stream once. Deterministic: ties go to the lowest id; no randomness at all.
//
// Rebalance moves a region's ingress under a lower-latency parent with a free slot. Such a
// move only lowers latencies in the moved subtree, so it never raises the worst case.
#include <cstdint>
#include <span>
#include <vector>

#include "core/base/Result.hpp"
#include "topology/StreamTree.hpp"

namespace cascade::topology {

enum class TreeError : uint8_t {
  kOriginDown,
  kOriginFailed,
  kNotAnEdge,
  kNodeDown,
  kNoRelay,
  kNoCapacity,
  kCount
};
const char* ToString(TreeError e);

struct TreeOptions {
  bool allow_transit = true;     // regions without viewers may forward for other regions
  size_t rebalance_moves = 256;  // local-search moves after the greedy build
  double move_cost = 0;          // viewer-ms a rebalance move must save to be taken
};

struct EdgeDemand {
  NodeId edge = 0;
  uint64_t viewers = 0;
};

struct BuildResult {
  StreamTree tree;
  std::vector<NodeId> unreached;  // edges with viewers that no capacity could reach
};

struct RepairReport {
  size_t links_changed = 0;
  std::vector<NodeId> unreached;  // edges cut off (their viewers must be placed again)
};

class TreeBuilder {
 public:
  explicit TreeBuilder(const Topology* topology, TreeOptions options = {});

  base::Result<BuildResult, TreeError> Build(NodeId origin, std::span<const EdgeDemand> demands) const;

  // Incremental changes; each returns the number of links created, removed or moved. An
  // edge in a region with no free relay is fed straight from another region.
  base::Result<size_t, TreeError> AttachEdge(StreamTree& tree, NodeId edge, uint64_t viewers) const;
  size_t DetachEdge(StreamTree& tree, NodeId edge) const;
  // Call after marking `failed` down in the Topology: re-parents its children (a spare relay
  // in the same region takes its place when there is one, keeping every grandchild link).
  base::Result<RepairReport, TreeError> RepairAfterFailure(StreamTree& tree, NodeId failed) const;
  // Up to max_moves improving moves, each saving more than move_cost viewer-ms.
  size_t Rebalance(StreamTree& tree, size_t max_moves, double move_cost) const;

 private:
  NodeId BestSpare(const StreamTree& tree, RegionId region, uint32_t min_children) const;
  NodeId BestSlotIn(const StreamTree& tree, RegionId region) const;
  NodeId FindSlot(StreamTree& tree, RegionId region, size_t& links) const;
  bool ConnectRegion(StreamTree& tree, NodeId ingress, size_t& links) const;
  void PruneUp(StreamTree& tree, NodeId n, size_t& links) const;
  void Dismantle(StreamTree& tree, NodeId root, std::vector<NodeId>& unreached) const;
  size_t FillRegion(StreamTree& tree, NodeId root, const std::vector<NodeId>& deliveries,
                    const std::vector<NodeId>& spares) const;

  const Topology* topo_;
  TreeOptions options_;
};

}  // namespace cascade::topology
