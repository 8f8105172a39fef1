#pragma once
// The graph trees are built over: media nodes (edges serve viewers, relays only forward)
// placed in regions, with the latency between regions and each node's fan-out limit for one
// stream. Holds no I/O and no clock; the caller updates `up` and limits as reports arrive.
#include <cstdint>
#include <vector>

#include "topology/LatencyMatrix.hpp"
#include "topology/Types.hpp"

namespace cascade::topology {

enum class NodeRole : uint8_t { kEdge, kRelay, kCount };
const char* ToString(NodeRole r);

struct TopoNode {
  NodeId id = 0;
  RegionId region = 0;
  NodeRole role = NodeRole::kEdge;
  // Children this node may feed for one stream: min(configured fan-out, free egress / bitrate,
  // stream slots). An edge's children matter only when it is a stream's origin.
  uint32_t max_children = 0;
  bool up = true;
};

class Topology {
 public:
  // `latency` must outlive this object and have no missing pair among used regions.
  explicit Topology(const LatencyMatrix* latency, double forward_ms = 0.5);

  NodeId AddNode(RegionId region, NodeRole role, uint32_t max_children);
  void SetUp(NodeId id, bool up) { nodes_[id].up = up; }
  void SetMaxChildren(NodeId id, uint32_t max_children) { nodes_[id].max_children = max_children; }

  size_t NodeCount() const { return nodes_.size(); }
  size_t RegionCount() const { return latency_->Size(); }
  const TopoNode& Node(NodeId id) const { return nodes_[id]; }
  const std::vector<NodeId>& RelaysIn(RegionId r) const { return relays_[r]; }
  const std::vector<NodeId>& EdgesIn(RegionId r) const { return edges_[r]; }
  const LatencyMatrix& Latency() const { return *latency_; }

  // Delay a packet gains from `from` forwarding it to `to`: one-way network delay between their
  // regions plus the forwarding cost at `from`.
  double LinkMs(NodeId from, NodeId to) const {
    return latency_->OneWayMs(nodes_[from].region, nodes_[to].region) + forward_ms_;
  }
  double RegionLinkMs(RegionId from, RegionId to) const { return latency_->OneWayMs(from, to) + forward_ms_; }
  double ForwardMs() const { return forward_ms_; }

 private:
  const LatencyMatrix* latency_;
  double forward_ms_;
  std::vector<TopoNode> nodes_;
  std::vector<std::vector<NodeId>> relays_;
  std::vector<std::vector<NodeId>> edges_;
};

}  // namespace cascade::topology
