#include "topology/StreamTree.hpp"

#include <algorithm>
#include <deque>

namespace cascade::topology {

StreamTree::StreamTree(const Topology* topology, NodeId origin)
    : topo_(topology),
      origin_(origin),
      parent_(topology->NodeCount(), kNoNode),
      children_(topology->NodeCount()),
      latency_ms_(topology->NodeCount(), 0),
      hops_(topology->NodeCount(), 0),
      viewers_(topology->NodeCount(), 0) {}

bool StreamTree::Contains(NodeId n) const {
  // Depth is small (a handful of levels), so walking up is cheaper than keeping flags current
  // while subtrees are detached and re-attached.
  for (size_t guard = 0; guard <= parent_.size(); ++guard) {
    if (n == origin_) return true;
    n = parent_[n];
    if (n == kNoNode) return false;
  }
  return false;
}

uint32_t StreamTree::FreeSlots(NodeId n) const {
  const uint32_t max = topo_->Node(n).max_children;
  const auto used = static_cast<uint32_t>(children_[n].size());
  return used >= max ? 0 : max - used;
}

NodeId StreamTree::Ingress(RegionId r) const {
  if (topo_->Node(origin_).region == r) return origin_;
  for (NodeId n : topo_->RelaysIn(r)) {
    const NodeId p = parent_[n];
    if (p != kNoNode && topo_->Node(p).region != r && Contains(n)) return n;
  }
  for (NodeId n : topo_->EdgesIn(r)) {
    const NodeId p = parent_[n];
    if (p != kNoNode && topo_->Node(p).region != r && Contains(n)) return n;
  }
  return kNoNode;
}

std::vector<NodeId> StreamTree::Members() const {
  std::vector<NodeId> out{origin_};
  for (size_t i = 0; i < out.size(); ++i) {
    for (NodeId c : children_[out[i]]) out.push_back(c);
  }
  return out;
}

size_t StreamTree::InterRegionLinks() const {
  size_t links = 0;
  for (NodeId n : Members()) {
    if (n != origin_ && topo_->Node(parent_[n]).region != topo_->Node(n).region) ++links;
  }
  return links;
}

std::vector<uint64_t> StreamTree::SubtreeViewers() const {
  std::vector<uint64_t> sum(parent_.size(), 0);
  const std::vector<NodeId> order = Members();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    sum[*it] += viewers_[*it];
    if (*it != origin_) sum[parent_[*it]] += sum[*it];
  }
  return sum;
}

void StreamTree::Link(NodeId parent, NodeId child) {
  parent_[child] = parent;
  children_[parent].push_back(child);
  RecomputeFrom(child);
}

void StreamTree::Unlink(NodeId child) {
  const NodeId p = parent_[child];
  if (p == kNoNode) return;
  auto& siblings = children_[p];
  siblings.erase(std::find(siblings.begin(), siblings.end(), child));
  parent_[child] = kNoNode;
}

void StreamTree::RecomputeFrom(NodeId n) {
  std::deque<NodeId> queue{n};
  while (!queue.empty()) {
    const NodeId x = queue.front();
    queue.pop_front();
    const NodeId p = parent_[x];
    if (x == origin_ || p == kNoNode) {
      latency_ms_[x] = 0;
      hops_[x] = 0;
    } else {
      latency_ms_[x] = latency_ms_[p] + topo_->LinkMs(p, x);
      hops_[x] = hops_[p] + 1;
    }
    for (NodeId c : children_[x]) queue.push_back(c);
  }
}

std::string StreamTree::Validate() const {
  const size_t n = parent_.size();
  if (parent_[origin_] != kNoNode) return "origin has a parent";
  std::vector<uint8_t> seen(n, 0);
  std::vector<uint32_t> region_inbound(topo_->RegionCount(), 0);
  const std::vector<NodeId> order = Members();
  if (order.size() > n) return "cycle below the origin";
  for (NodeId x : order) {
    if (seen[x]++) return "node " + std::to_string(x) + " reached twice";
    const TopoNode& node = topo_->Node(x);
    if (!node.up) return "node " + std::to_string(x) + " is down but in the tree";
    if (children_[x].size() > node.max_children) return "node " + std::to_string(x) + " exceeds its fan-out";
    if (node.role == NodeRole::kEdge && x != origin_ && !children_[x].empty()) {
      return "edge " + std::to_string(x) + " forwards to children";
    }
    for (NodeId c : children_[x]) {
      if (parent_[c] != x) return "child list of " + std::to_string(x) + " disagrees with parent links";
      if (topo_->Node(c).region != node.region && ++region_inbound[topo_->Node(c).region] > 1) {
        return "region " + topo_->Latency().Name(topo_->Node(c).region) + " receives the stream twice";
      }
    }
  }
  if (region_inbound[topo_->Node(origin_).region] > 0) return "origin region receives its own stream";
  for (size_t x = 0; x < n; ++x) {
    if (viewers_[x] > 0 && !seen[x]) return "edge " + std::to_string(x) + " has viewers but is not reached";
    if (parent_[x] != kNoNode && !seen[x])
      return "node " + std::to_string(x) + " hangs off a detached subtree";
  }
  return {};
}

}  // namespace cascade::topology
