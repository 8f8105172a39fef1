#include "topology/TreeBuilder.hpp"

#include <algorithm>
#include <limits>

namespace cascade::topology {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool IsForwarder(const TopoNode& n, NodeId origin) { return n.role == NodeRole::kRelay || n.id == origin; }

// True when `n` lies in the subtree rooted at `root` (walking up parent links).
bool InSubtree(const StreamTree& tree, NodeId n, NodeId root) {
  for (; n != kNoNode; n = tree.Parent(n)) {
    if (n == root) return true;
  }
  return false;
}

}  // namespace

const char* ToString(TreeError e) {
  switch (e) {
    case TreeError::kOriginDown: return "origin-down";
    case TreeError::kOriginFailed: return "origin-failed";
    case TreeError::kNotAnEdge: return "not-an-edge";
    case TreeError::kNodeDown: return "node-down";
    case TreeError::kNoRelay: return "no-relay";
    case TreeError::kNoCapacity: return "no-capacity";
    case TreeError::kCount: break;
  }
  return "?";
}

TreeBuilder::TreeBuilder(const Topology* topology, TreeOptions options)
    : topo_(topology), options_(options) {}

base::Result<BuildResult, TreeError> TreeBuilder::Build(NodeId origin,
                                                        std::span<const EdgeDemand> demands) const {
  const Topology& topo = *topo_;
  if (!topo.Node(origin).up) return base::Fail(TreeError::kOriginDown);
  const size_t regions = topo.RegionCount();
  const RegionId root = topo.Node(origin).region;
  BuildResult out{StreamTree(topo_, origin), {}};
  StreamTree& tree = out.tree;

  // Local deliveries per region, heaviest first so that they get the shallowest slots.
  std::vector<std::vector<EdgeDemand>> local(regions);
  std::vector<uint64_t> region_viewers(regions, 0);
  for (const EdgeDemand& d : demands) {
    if (d.viewers == 0) continue;
    const TopoNode& n = topo.Node(d.edge);
    if (d.edge == origin) {
      tree.SetViewers(origin, d.viewers);
      continue;
    }
    if (n.role != NodeRole::kEdge || !n.up) {
      out.unreached.push_back(d.edge);
      continue;
    }
    local[n.region].push_back(d);
    region_viewers[n.region] += d.viewers;
  }
  for (auto& l : local) {
    std::sort(l.begin(), l.end(), [](const EdgeDemand& a, const EdgeDemand& b) {
      return a.viewers != b.viewers ? a.viewers > b.viewers : a.edge < b.edge;
    });
  }

  // Relay pools (largest fan-out first) and what each region can feed beyond its own edges:
  // k relays of fan-out F_i give F_0 + sum(F_i - 1) slots, as each non-root relay uses one.
  std::vector<std::vector<NodeId>> pool(regions);
  std::vector<int64_t> child_slots(regions, 0);
  for (size_t r = 0; r < regions; ++r) {
    for (NodeId id : topo.RelaysIn(static_cast<RegionId>(r))) {
      if (topo.Node(id).up && topo.Node(id).max_children >= 2) pool[r].push_back(id);
    }
    std::sort(pool[r].begin(), pool[r].end(), [&](NodeId a, NodeId b) {
      const uint32_t fa = topo.Node(a).max_children, fb = topo.Node(b).max_children;
      return fa != fb ? fa > fb : a < b;
    });
    int64_t cap = 0;
    if (r == root) cap = topo.Node(origin).max_children;
    for (size_t i = 0; i < pool[r].size(); ++i) {
      cap += topo.Node(pool[r][i]).max_children - ((i == 0 && r != root) ? 0 : 1);
    }
    child_slots[r] = std::max<int64_t>(0, cap - static_cast<int64_t>(local[r].size()));
  }

  // Capacity-aware Dijkstra over regions. best_parent[c] is the settled region with free
  // slots that reaches c soonest; it is recomputed when that parent fills up.
  std::vector<double> dist(regions, kInf), best(regions, kInf);
  std::vector<RegionId> parent(regions, kNoRegion), best_parent(regions, kNoRegion);
  std::vector<uint8_t> settled(regions, 0), candidate(regions, 0);
  std::vector<int64_t> slots_left(regions, 0);
  std::vector<RegionId> order;
  for (size_t r = 0; r < regions; ++r) {
    candidate[r] = r != root && !pool[r].empty() && (!local[r].empty() || options_.allow_transit);
  }
  const auto relax = [&](RegionId from, RegionId to) {
    if (!candidate[to] || settled[to] || slots_left[from] <= 0) return;
    const double d = dist[from] + topo.RegionLinkMs(from, to);
    if (d < best[to]) {
      best[to] = d;
      best_parent[to] = from;
    }
  };
  const auto settle = [&](RegionId r) {
    settled[r] = 1;
    order.push_back(r);
    slots_left[r] = child_slots[r];
    for (size_t u = 0; u < regions; ++u) relax(r, static_cast<RegionId>(u));
  };
  dist[root] = 0;
  settle(root);
  for (;;) {
    RegionId next = kNoRegion;
    for (size_t u = 0; u < regions; ++u) {
      if (candidate[u] && !settled[u] && best[u] < kInf && (next == kNoRegion || best[u] < best[next])) {
        next = static_cast<RegionId>(u);
      }
    }
    if (next == kNoRegion) break;
    const RegionId p = best_parent[next];
    dist[next] = best[next];
    parent[next] = p;
    if (--slots_left[p] == 0) {
      for (size_t u = 0; u < regions; ++u) {
        if (settled[u] || best_parent[u] != p) continue;
        best[u] = kInf;
        best_parent[u] = kNoRegion;
        for (RegionId s : order) relax(s, static_cast<RegionId>(u));
      }
    }
    settle(next);
  }

  // Drop transit regions that ended up feeding nobody (children settle after parents).
  std::vector<uint32_t> child_regions(regions, 0);
  for (RegionId r : order) {
    if (r != root) ++child_regions[parent[r]];
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (*it != root && local[*it].empty() && child_regions[*it] == 0) {
      --child_regions[parent[*it]];
      settled[*it] = 0;
    }
  }
  std::erase_if(order, [&](RegionId r) { return !settled[r]; });
  for (size_t r = 0; r < regions; ++r) {
    if (!settled[r]) {
      for (const EdgeDemand& d : local[r]) out.unreached.push_back(d.edge);
    }
  }

  // Subtree weights order each region's child regions (heaviest nearest the ingress).
  std::vector<uint64_t> weight(region_viewers);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (*it != root) weight[parent[*it]] += weight[*it];
  }
  std::vector<std::vector<RegionId>> kids(regions);
  for (RegionId r : order) {
    if (r != root) kids[parent[r]].push_back(r);
  }
  std::vector<NodeId> ingress(regions, kNoNode);
  for (RegionId r : order) ingress[r] = r == root ? origin : pool[r].front();

  // Expand each region into nodes, parents first.
  for (RegionId r : order) {
    if (!tree.Contains(ingress[r])) {
      for (const EdgeDemand& d : local[r]) out.unreached.push_back(d.edge);
      continue;
    }
    std::sort(kids[r].begin(), kids[r].end(),
              [&](RegionId a, RegionId b) { return weight[a] != weight[b] ? weight[a] > weight[b] : a < b; });
    std::vector<NodeId> deliveries;
    for (RegionId k : kids[r]) deliveries.push_back(ingress[k]);
    for (const EdgeDemand& d : local[r]) deliveries.push_back(d.edge);
    std::vector<NodeId> spares(pool[r].begin() + (r == root ? 0 : 1), pool[r].end());
    const size_t placed = FillRegion(tree, ingress[r], deliveries, spares);
    for (size_t i = placed; i < deliveries.size(); ++i) {
      if (topo.Node(deliveries[i]).role == NodeRole::kEdge) out.unreached.push_back(deliveries[i]);
    }
    for (const EdgeDemand& d : local[r]) {
      if (tree.Linked(d.edge)) tree.SetViewers(d.edge, d.viewers);
    }
  }
  // Regions whose ingress was never placed: their edges were reported above when visited.
  Rebalance(tree, options_.rebalance_moves, options_.move_cost);
  return out;
}

size_t TreeBuilder::FillRegion(StreamTree& tree, NodeId root, const std::vector<NodeId>& deliveries,
                               const std::vector<NodeId>& spares) const {
  std::vector<NodeId> frontier{root};
  size_t next = 0, spare = 0;
  std::vector<NodeId> slots;
  while (next < deliveries.size()) {
    // Slots of this level dealt round robin over its nodes, so load spreads evenly.
    slots.clear();
    std::vector<uint32_t> free;
    for (NodeId f : frontier) free.push_back(tree.FreeSlots(f));
    for (bool any = true; any;) {
      any = false;
      for (size_t i = 0; i < frontier.size(); ++i) {
        if (free[i] > 0) {
          slots.push_back(frontier[i]);
          --free[i];
          any = true;
        }
      }
    }
    const size_t remaining = deliveries.size() - next;
    if (slots.empty()) break;
    if (remaining <= slots.size()) {
      for (size_t j = 0; j < remaining; ++j) tree.Link(slots[j], deliveries[next + j]);
      next = deliveries.size();
      break;
    }
    // A relay-only level: the fewest relays whose slots, with this level's, hold the rest.
    const size_t avail = std::min(slots.size(), spares.size() - spare);
    size_t relays = 0, total = slots.size();
    while (relays < avail && total < remaining) {
      total += topo_->Node(spares[spare + relays]).max_children - 1;
      ++relays;
    }
    const size_t direct = slots.size() - relays;
    for (size_t j = 0; j < direct; ++j) tree.Link(slots[j], deliveries[next + j]);
    next += direct;
    frontier.clear();
    for (size_t j = 0; j < relays; ++j) {
      tree.Link(slots[direct + j], spares[spare + j]);
      frontier.push_back(spares[spare + j]);
    }
    spare += relays;
    if (relays == 0) break;
  }
  return next;
}

NodeId TreeBuilder::BestSpare(const StreamTree& tree, RegionId region, uint32_t min_children) const {
  NodeId best = kNoNode;
  for (NodeId id : topo_->RelaysIn(region)) {
    const TopoNode& n = topo_->Node(id);
    if (!n.up || tree.Linked(id) || !tree.Children(id).empty() || n.max_children < min_children) continue;
    if (best == kNoNode || n.max_children > topo_->Node(best).max_children) best = id;
  }
  return best;
}

NodeId TreeBuilder::BestSlotIn(const StreamTree& tree, RegionId region) const {
  NodeId best = kNoNode;
  const auto consider = [&](NodeId id) {
    if (!topo_->Node(id).up || tree.FreeSlots(id) == 0 || !tree.Contains(id)) return;
    if (best == kNoNode || tree.LatencyMs(id) < tree.LatencyMs(best)) best = id;
  };
  if (topo_->Node(tree.Origin()).region == region) consider(tree.Origin());
  for (NodeId id : topo_->RelaysIn(region)) consider(id);
  return best;
}

NodeId TreeBuilder::FindSlot(StreamTree& tree, RegionId region, size_t& links) const {
  if (const NodeId slot = BestSlotIn(tree, region); slot != kNoNode) return slot;
  // Every forwarder here is full: push a spare relay between one of them and one of its local
  // children (an edge if possible), which opens max_children - 1 slots for one moved link.
  const NodeId spare = BestSpare(tree, region, 2);
  if (spare == kNoNode) return kNoNode;
  NodeId host = kNoNode, moved = kNoNode;
  const auto consider = [&](NodeId f) {
    if (!tree.Contains(f)) return;
    for (NodeId c : tree.Children(f)) {
      if (topo_->Node(c).region != region) continue;
      const bool edge = topo_->Node(c).role == NodeRole::kEdge;
      if (moved == kNoNode || (edge && topo_->Node(moved).role != NodeRole::kEdge) ||
          (edge == (topo_->Node(moved).role == NodeRole::kEdge) &&
           tree.LatencyMs(f) < tree.LatencyMs(host))) {
        host = f;
        moved = c;
      }
    }
  };
  if (topo_->Node(tree.Origin()).region == region) consider(tree.Origin());
  for (NodeId id : topo_->RelaysIn(region)) consider(id);
  if (host == kNoNode) return kNoNode;
  tree.Unlink(moved);
  tree.Link(host, spare);
  tree.Link(spare, moved);
  links += 2;
  return spare;
}

bool TreeBuilder::ConnectRegion(StreamTree& tree, NodeId ingress, size_t& links) const {
  const RegionId r = topo_->Node(ingress).region;
  // Candidates: a free slot in a region that has the stream, or a region where a spare relay
  // can open one (one more hop inside that region). Nearest to the origin wins, so a full
  // origin edge grows a relay level at home rather than detouring through a far region.
  std::vector<std::pair<double, NodeId>> direct;
  std::vector<std::pair<double, RegionId>> via_spare;
  for (size_t q = 0; q < topo_->RegionCount(); ++q) {
    const auto region = static_cast<RegionId>(q);
    if (region == r) continue;
    const NodeId in = tree.Ingress(region);
    if (in == kNoNode || InSubtree(tree, in, ingress)) continue;
    const NodeId slot = BestSlotIn(tree, region);
    if (slot != kNoNode && !InSubtree(tree, slot, ingress)) {
      direct.emplace_back(tree.LatencyMs(slot) + topo_->LinkMs(slot, ingress), slot);
    }
    if (BestSpare(tree, region, 2) != kNoNode) {
      via_spare.emplace_back(
          tree.LatencyMs(in) + topo_->RegionLinkMs(region, region) + topo_->RegionLinkMs(region, r), region);
    }
  }
  std::sort(direct.begin(), direct.end());
  std::sort(via_spare.begin(), via_spare.end());
  NodeId parent = kNoNode;
  for (const auto& [ms, region] : via_spare) {
    if (!direct.empty() && direct.front().first <= ms) break;
    parent = FindSlot(tree, region, links);
    if (parent != kNoNode && !InSubtree(tree, parent, ingress)) break;
    parent = kNoNode;
  }
  if (parent == kNoNode && !direct.empty()) parent = direct.front().second;
  if (parent == kNoNode) return false;
  tree.Link(parent, ingress);
  ++links;
  return true;
}

base::Result<size_t, TreeError> TreeBuilder::AttachEdge(StreamTree& tree, NodeId edge,
                                                        uint64_t viewers) const {
  const TopoNode& n = topo_->Node(edge);
  if (n.role != NodeRole::kEdge) return base::Fail(TreeError::kNotAnEdge);
  if (!n.up) return base::Fail(TreeError::kNodeDown);
  if (edge == tree.Origin() || tree.Contains(edge)) {
    tree.SetViewers(edge, viewers);
    return size_t{0};
  }
  size_t links = 0;
  NodeId parent = kNoNode;
  if (tree.Ingress(n.region) != kNoNode) {
    parent = FindSlot(tree, n.region, links);
    if (parent == kNoNode) return base::Fail(TreeError::kNoCapacity);
  } else {
    parent = BestSpare(tree, n.region, 1);
    if (parent == kNoNode) {
      // No relay of its own region is free (none there, or the last one failed): the edge
      // becomes its region's ingress, fed from the nearest region that has the stream.
      if (!ConnectRegion(tree, edge, links)) return base::Fail(TreeError::kNoRelay);
      tree.SetViewers(edge, viewers);
      return links;
    }
    if (!ConnectRegion(tree, parent, links)) return base::Fail(TreeError::kNoCapacity);
  }
  tree.Link(parent, edge);
  tree.SetViewers(edge, viewers);
  return links + 1;
}

void TreeBuilder::PruneUp(StreamTree& tree, NodeId n, size_t& links) const {
  while (n != kNoNode && n != tree.Origin() && topo_->Node(n).role == NodeRole::kRelay &&
         tree.Children(n).empty()) {
    const NodeId p = tree.Parent(n);
    if (p == kNoNode) break;
    tree.Unlink(n);
    ++links;
    n = p;
  }
}

size_t TreeBuilder::DetachEdge(StreamTree& tree, NodeId edge) const {
  tree.SetViewers(edge, 0);
  if (edge == tree.Origin() || !tree.Linked(edge)) return 0;
  const NodeId p = tree.Parent(edge);
  tree.Unlink(edge);
  size_t links = 1;
  PruneUp(tree, p, links);
  return links;
}

void TreeBuilder::Dismantle(StreamTree& tree, NodeId root, std::vector<NodeId>& unreached) const {
  std::vector<NodeId> stack{root};
  while (!stack.empty()) {
    const NodeId x = stack.back();
    stack.pop_back();
    if (tree.Viewers(x) > 0) unreached.push_back(x);
    tree.SetViewers(x, 0);
    const std::vector<NodeId> kids = tree.Children(x);
    for (NodeId c : kids) {
      tree.Unlink(c);
      stack.push_back(c);
    }
    tree.Unlink(x);
  }
}

base::Result<RepairReport, TreeError> TreeBuilder::RepairAfterFailure(StreamTree& tree, NodeId failed) const {
  if (failed == tree.Origin()) return base::Fail(TreeError::kOriginFailed);
  RepairReport report;
  if (!tree.Linked(failed)) return report;
  const TopoNode& f = topo_->Node(failed);
  const NodeId p = tree.Parent(failed);
  if (f.role == NodeRole::kEdge) {
    if (tree.Viewers(failed) > 0) report.unreached.push_back(failed);
    report.links_changed = DetachEdge(tree, failed);
    return report;
  }
  const std::vector<NodeId> kids = tree.Children(failed);
  for (NodeId c : kids) tree.Unlink(c);
  tree.Unlink(failed);
  report.links_changed = 1;

  // A spare relay in the same region takes the failed one's place: one new uplink, and every
  // child keeps its subtree.
  const NodeId spare = BestSpare(tree, f.region, static_cast<uint32_t>(std::max<size_t>(kids.size(), 1)));
  if (spare != kNoNode && p != kNoNode && tree.Contains(p)) {
    tree.Link(p, spare);
    for (NodeId c : kids) tree.Link(spare, c);
    report.links_changed += 1 + kids.size();
    return report;
  }
  // Otherwise re-home each child: relays (whole subtrees, heaviest first), then edges.
  const std::vector<uint64_t> weight = tree.SubtreeViewers();
  std::vector<NodeId> order(kids);
  std::stable_sort(order.begin(), order.end(), [&](NodeId a, NodeId b) {
    const bool ra = topo_->Node(a).role == NodeRole::kRelay, rb = topo_->Node(b).role == NodeRole::kRelay;
    return ra != rb ? ra : weight[a] > weight[b];
  });
  for (NodeId c : order) {
    const TopoNode& child = topo_->Node(c);
    size_t links = 0;
    if (child.role == NodeRole::kEdge) {
      const uint64_t viewers = tree.Viewers(c);
      tree.SetViewers(c, 0);
      auto attached = AttachEdge(tree, c, viewers);
      if (attached) {
        report.links_changed += *attached;
      } else if (viewers > 0) {
        report.unreached.push_back(c);
      }
      continue;
    }
    bool placed = false;
    if (tree.Ingress(child.region) != kNoNode) {
      // The region still receives the stream: hang the subtree off a free slot there.
      const NodeId slot = FindSlot(tree, child.region, links);
      if (slot != kNoNode) {
        tree.Link(slot, c);
        ++links;
        placed = true;
      }
    } else {
      placed = ConnectRegion(tree, c, links);
    }
    report.links_changed += links;
    if (!placed) Dismantle(tree, c, report.unreached);
  }
  size_t pruned = 0;
  PruneUp(tree, p, pruned);
  report.links_changed += pruned;
  return report;
}

size_t TreeBuilder::Rebalance(StreamTree& tree, size_t max_moves, double move_cost) const {
  const size_t regions = topo_->RegionCount();
  size_t moves = 0;
  std::vector<NodeId> best_slot(regions);
  while (moves < max_moves) {
    const std::vector<uint64_t> weight = tree.SubtreeViewers();
    const std::vector<NodeId> members = tree.Members();
    std::fill(best_slot.begin(), best_slot.end(), kNoNode);
    for (NodeId m : members) {
      const TopoNode& n = topo_->Node(m);
      if (!IsForwarder(n, tree.Origin()) || tree.FreeSlots(m) == 0) continue;
      NodeId& b = best_slot[n.region];
      if (b == kNoNode || tree.LatencyMs(m) < tree.LatencyMs(b)) b = m;
    }
    double best_gain = move_cost;
    NodeId move = kNoNode, target = kNoNode;
    for (NodeId c : members) {
      if (c == tree.Origin() || weight[c] == 0) continue;
      const RegionId rc = topo_->Node(c).region;
      if (topo_->Node(tree.Parent(c)).region == rc) continue;  // only region ingresses move
      for (size_t q = 0; q < regions; ++q) {
        const NodeId slot = best_slot[q];
        if (slot == kNoNode || q == rc || slot == tree.Parent(c)) continue;
        const double saved = tree.LatencyMs(c) - (tree.LatencyMs(slot) + topo_->LinkMs(slot, c));
        const double gain = saved * static_cast<double>(weight[c]);
        if (saved > 1e-9 && gain > best_gain && !InSubtree(tree, slot, c)) {
          best_gain = gain;
          move = c;
          target = slot;
        }
      }
    }
    if (move == kNoNode) break;
    const NodeId old_parent = tree.Parent(move);
    tree.Unlink(move);
    tree.Link(target, move);
    size_t pruned = 0;
    PruneUp(tree, old_parent, pruned);
    ++moves;
  }
  return moves;
}

}  // namespace cascade::topology
