#include "topology/Topology.hpp"

namespace cascade::topology {

const char* ToString(NodeRole r) {
  switch (r) {
    case NodeRole::kEdge: return "edge";
    case NodeRole::kRelay: return "relay";
    case NodeRole::kCount: break;
  }
  return "?";
}

Topology::Topology(const LatencyMatrix* latency, double forward_ms)
    : latency_(latency), forward_ms_(forward_ms), relays_(latency->Size()), edges_(latency->Size()) {}

NodeId Topology::AddNode(RegionId region, NodeRole role, uint32_t max_children) {
  const auto id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(TopoNode{id, region, role, max_children, true});
  (role == NodeRole::kRelay ? relays_ : edges_)[region].push_back(id);
  return id;
}

}  // namespace cascade::topology
