#pragma once
// One stream's distribution tree over a Topology: the origin edge at the root, relays inside,
// edges with viewers at the leaves. Parent links are the truth; children lists, latency and
// hop counts are kept in step by Link/Unlink/RecomputeFrom.
#include <cstdint>
#include <string>
#include <vector>

#include "topology/Topology.hpp"

namespace cascade::topology {

class StreamTree {
 public:
  StreamTree(const Topology* topology, NodeId origin);

  NodeId Origin() const { return origin_; }
  const Topology& Topo() const { return *topo_; }

  // In the tree: linked (through any chain) to the origin.
  bool Contains(NodeId n) const;
  bool Linked(NodeId n) const { return n == origin_ || parent_[n] != kNoNode; }
  NodeId Parent(NodeId n) const { return parent_[n]; }
  const std::vector<NodeId>& Children(NodeId n) const { return children_[n]; }
  uint32_t FreeSlots(NodeId n) const;
  double LatencyMs(NodeId n) const { return latency_ms_[n]; }
  uint32_t Hops(NodeId n) const { return hops_[n]; }
  uint64_t Viewers(NodeId n) const { return viewers_[n]; }
  void SetViewers(NodeId n, uint64_t viewers) { viewers_[n] = viewers; }

  // The node through which the stream enters region r (kNoNode if it does not).
  NodeId Ingress(RegionId r) const;
  // Members reachable from the origin, in breadth-first order.
  std::vector<NodeId> Members() const;
  size_t InterRegionLinks() const;
  // Viewers below n, n included.
  std::vector<uint64_t> SubtreeViewers() const;

  void Link(NodeId parent, NodeId child);
  void Unlink(NodeId child);
  // Refresh latency and hops of n's subtree from n's parent.
  void RecomputeFrom(NodeId n);

  // First broken invariant, or empty: acyclic and consistent, fan-out within max_children,
  // no node down, at most one link into each region, only the origin edge has children, and
  // every edge with viewers reached.
  std::string Validate() const;

 private:
  const Topology* topo_;
  NodeId origin_;
  std::vector<NodeId> parent_;
  std::vector<std::vector<NodeId>> children_;
  std::vector<double> latency_ms_;
  std::vector<uint32_t> hops_;
  std::vector<uint64_t> viewers_;
};

}  // namespace cascade::topology
