#include "control/server/TreeController.hpp"

#include <cmath>
#include <deque>
#include <iterator>
#include <vector>

#include "control/server/EdgePlacer.hpp"
#include "core/base/Log.hpp"
#include "topology/StreamTree.hpp"
#include "topology/TreeBuilder.hpp"

namespace cascade::control {
namespace {

// The live media nodes as topology sees them, with the inter-region latency for their regions.
class NodeGraph {
 public:
  NodeGraph(const NodeRegistry& registry, const topology::LatencyMatrix* latency,
            const TreeController::Options& options, const std::set<std::string>& excluded) {
    std::vector<std::string> regions;
    std::map<std::string, topology::RegionId> region_index;
    for (const auto& [id, record] : registry.nodes()) {
      if (!record.alive || excluded.contains(id)) continue;
      if (region_index.try_emplace(record.hello.region, static_cast<topology::RegionId>(regions.size()))
              .second) {
        regions.push_back(record.hello.region);
      }
    }
    matrix_ = topology::LatencyMatrix(regions);
    for (size_t a = 0; a < regions.size(); ++a) {
      for (size_t b = 0; b < regions.size(); ++b) {
        double rtt = a == b ? 0 : options.unknown_rtt_ms;
        if (latency && a != b) {
          auto from = latency->Find(regions[a]);
          auto to = latency->Find(regions[b]);
          if (from && to && !std::isnan(latency->RttMs(*from, *to))) rtt = latency->RttMs(*from, *to);
        }
        matrix_.SetRttMs(static_cast<topology::RegionId>(a), static_cast<topology::RegionId>(b), rtt);
      }
    }
    topology_ = std::make_unique<topology::Topology>(&matrix_);
    for (const auto& [id, record] : registry.nodes()) {
      if (!record.alive || excluded.contains(id)) continue;
      const bool relay = record.hello.role == NodeRole::kRelay;
      uint32_t max_children = relay ? options.relay_fanout : options.origin_fanout;
      if (relay) {
        // By its last reported load: busy relays take no new children, full ones are drained.
        switch (topology::Classify(EdgePlacer::StateOf(record), options.thresholds)) {
          case topology::Fullness::kOpen: break;
          case topology::Fullness::kNoNewSessions: max_children = 0; break;
          case topology::Fullness::kFull:
          case topology::Fullness::kCount: continue;
        }
      }
      const topology::NodeId node =
          topology_->AddNode(region_index.at(record.hello.region),
                             relay ? topology::NodeRole::kRelay : topology::NodeRole::kEdge, max_children);
      ids_.push_back(id);
      index_[id] = node;
    }
  }

  const topology::Topology& topology() const { return *topology_; }
  std::optional<topology::NodeId> Find(const std::string& id) const {
    auto it = index_.find(id);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& Id(topology::NodeId node) const { return ids_[node]; }

 private:
  topology::LatencyMatrix matrix_;
  std::unique_ptr<topology::Topology> topology_;  // points at matrix_
  std::vector<std::string> ids_;
  std::map<std::string, topology::NodeId> index_;
};

// A standby for every region the stream enters through a relay: a second relay of that
// region linked to the same parent, carrying the stream with no children, so that the
// region's edges move to it within the region when the ingress fails.
void AddStandbys(const NodeGraph& graph, const topology::StreamTree& tree,
                 std::map<std::string, std::string>& desired) {
  // Outside the StreamTree (which allows one link into a region): the next pass sees the
  // standby as a second, childless ingress, prunes it from the tree and adds it here again,
  // so the links stay as they are; if the ingress dies, AttachEdge finds the standby already
  // in the tree and the region's edges move to it over a link inside the region.
  const topology::Topology& topo = graph.topology();
  std::map<topology::NodeId, uint32_t> slots;
  for (topology::NodeId member : tree.Members()) slots[member] = tree.FreeSlots(member);
  for (topology::NodeId ingress : tree.Members()) {
    if (ingress == tree.Origin() || topo.Node(ingress).role != topology::NodeRole::kRelay) continue;
    const topology::NodeId parent = tree.Parent(ingress);
    const topology::RegionId region = topo.Node(ingress).region;
    if (topo.Node(parent).region == region || slots[parent] == 0) continue;
    for (topology::NodeId spare : topo.RelaysIn(region)) {
      if (tree.Contains(spare) || topo.Node(spare).max_children == 0) continue;
      desired[graph.Id(spare)] = graph.Id(parent);
      --slots[parent];
      break;
    }
  }
}

}  // namespace

TreeController::TreeController(net::Loop& loop, ControlServer& server, TreeCommands& commands,
                               const topology::LatencyMatrix* latency, Options options,
                               base::MetricsRegistry& metrics)
    : loop_(loop),
      server_(server),
      commands_(commands),
      latency_(latency),
      options_(options),
      timer_(loop, [this] { ReconcileAll(); }) {
  started_us_ = loop_.clock().NowUs();
  timer_.Start(options_.tick_ms, options_.tick_ms);
  auto counter = [&](const char* name, const char* help, const uint64_t* field) {
    metrics.AddCallback(name, help, true, {}, [field] { return static_cast<double>(*field); });
  };
  counter("cascade_control_tree_passes_total", "tree reconcile passes", &counters_.passes);
  counter("cascade_control_tree_links_added_total", "links control added to its trees",
          &counters_.links_added);
  counter("cascade_control_tree_links_moved_total", "links control moved to another parent",
          &counters_.links_moved);
  counter("cascade_control_tree_links_removed_total", "links control removed from its trees",
          &counters_.links_removed);
  counter("cascade_control_tree_repairs_total", "tree passes after a node went down", &counters_.repairs);
  counter("cascade_control_tree_attach_failures_total", "edges no relay or capacity could reach",
          &counters_.attach_failures);
  counter("cascade_control_tree_parents_lost_confirmed_total",
          "parents reported silent by a child that did not answer control's probe",
          &counters_.parents_lost_confirmed);
  counter("cascade_control_tree_parents_lost_unconfirmed_total",
          "parents reported silent by a child that answered control's probe",
          &counters_.parents_lost_unconfirmed);
  counter("cascade_control_tree_rebalance_moves_total", "links moved under a closer parent by rebalancing",
          &counters_.rebalance_moves);
  metrics.AddCallback("cascade_control_tree_rooms", "rooms whose tree control manages", false, {},
                      [this] { return static_cast<double>(rooms_.size()); });
}

TreeController::~TreeController() = default;

void TreeController::OnPlaced(const std::string& room, const std::string& edge, bool publish) {
  const uint64_t now = loop_.clock().NowUs();
  RoomState& state = rooms_[room];
  if (publish) {
    state.origin = edge;
    state.origin_hint_until_us = now + options_.detach_grace_ms * 1000;
    state.origin_lost_us = 0;
  } else {
    state.edges[edge].placed_until_us = now + options_.detach_grace_ms * 1000;
  }
  Reconcile(room);
}

void TreeController::OnNodeEvent(const std::string& node_id, ControlServer::NodeEvent event) {
  if (event == ControlServer::NodeEvent::kDown) {
    LOG_WARN("control.tree_repair", {"node", node_id});
    ++counters_.repairs;
  }
  if (event == ControlServer::NodeEvent::kRoomsChanged) {
    // Only the rooms this node reports (or carried before) can have changed.
    std::set<std::string> rooms;
    auto record = server_.registry().nodes().find(node_id);
    if (record != server_.registry().nodes().end()) {
      for (const auto& report : record->second.rooms) rooms.insert(report.name);
    }
    for (const auto& [name, state] : rooms_) {
      if (state.edges.contains(node_id) || state.origin == node_id) rooms.insert(name);
    }
    for (const auto& room : rooms) Reconcile(room);
    return;
  }
  ReconcileAll();
}

void TreeController::SetLeader(bool leader) {
  if (leader == leader_) return;
  leader_ = leader;
  if (leader_) ReconcileAll();
}

bool TreeController::Adopting() const {
  return loop_.clock().NowUs() - started_us_ < options_.adopt_window_ms * 1000;
}

void TreeController::OnParentLost(const std::string& child, const std::string& parent) {
  if (probing_.contains(parent) || suspects_.contains(parent)) return;
  probing_.insert(parent);
  std::weak_ptr<bool> alive = alive_;
  server_.SendCommand(
      parent, Ping{},
      [this, alive, child, parent](CommandResult answer) {
        if (alive.expired()) return;
        probing_.erase(parent);
        if (answer.ok) {
          ++counters_.parents_lost_unconfirmed;
          return;
        }
        ++counters_.parents_lost_confirmed;
        LOG_WARN("control.parent_unresponsive", {"node", parent}, {"reported_by", child},
                 {"probe", answer.error});
        suspects_[parent] = loop_.clock().NowUs() + options_.suspect_ms * 1000;
        ReconcileAll();
      },
      options_.probe_timeout_ms);
}

std::string TreeController::OriginOf(const std::string& room) const {
  auto it = rooms_.find(room);
  return it == rooms_.end() ? std::string() : it->second.origin;
}

std::set<std::string> TreeController::ManagedRooms() const {
  std::set<std::string> rooms;
  for (const auto& [name, state] : rooms_) rooms.insert(name);
  for (const auto& [id, record] : server_.registry().nodes()) {
    if (!record.alive) continue;
    for (const auto& report : record.rooms) rooms.insert(report.name);
  }
  for (const auto& stream : commands_.Streams()) rooms.insert(stream);
  std::erase_if(rooms, [this](const std::string& room) { return commands_.OperatorOwned(room); });
  return rooms;
}

void TreeController::ReconcileAll() {
  for (const auto& room : ManagedRooms()) Reconcile(room);
}

void TreeController::UpdateFromReports(const std::string& room, RoomState& state, uint64_t now_us) {
  const auto& nodes = server_.registry().nodes();
  auto alive_edge = [&](const std::string& id) {
    auto it = nodes.find(id);
    return it != nodes.end() && it->second.alive && it->second.hello.role == NodeRole::kEdge;
  };
  std::string reported_origin;
  std::map<std::string, uint32_t> with_viewers;
  const bool adopt = Adopting() || !leader_;
  std::map<std::string, std::string> reported_parents;  // child -> parent
  for (const auto& [id, record] : nodes) {
    if (!record.alive) continue;
    for (const auto& report : record.rooms) {
      if (report.name != room) continue;
      if (report.publisher && record.hello.role == NodeRole::kEdge &&
          (reported_origin.empty() || id == state.origin)) {
        reported_origin = id;
      }
      if (report.viewers > 0 && record.hello.role == NodeRole::kEdge) with_viewers[id] = report.viewers;
      if (!report.parent.empty()) reported_parents[id] = report.parent;
    }
  }
  if (!leader_) {
    // A follower's links are what the nodes run: the leader moved or removed the others.
    for (const auto& link : commands_.ViewOf(room)) {
      auto reported = reported_parents.find(link.child);
      if (!link.busy && (reported == reported_parents.end() || reported->second != link.parent)) {
        commands_.Forget(room, link.child);
      }
    }
  }
  if (adopt) {
    for (const auto& [child, parent] : reported_parents) commands_.Adopt(room, parent, child);
  }

  if (!reported_origin.empty()) {
    state.origin = reported_origin;
    state.origin_lost_us = 0;
  } else if (!state.origin.empty() && !alive_edge(state.origin)) {
    state.origin.clear();  // died with its publisher, who comes back through the entry
  } else if (!state.origin.empty() && now_us >= state.origin_hint_until_us) {
    if (state.origin_lost_us == 0) state.origin_lost_us = now_us;
    if (now_us - state.origin_lost_us > options_.origin_grace_ms * 1000) state.origin.clear();
  }

  for (auto& [id, demand] : state.edges) demand.viewers = 0;
  for (const auto& [id, viewers] : with_viewers) {
    state.edges[id].idle_since_us = 0;
    state.edges[id].viewers = viewers;
  }
  const uint64_t grace_us = options_.detach_grace_ms * 1000;
  for (auto it = state.edges.begin(); it != state.edges.end();) {
    auto& [id, demand] = *it;
    bool keep = alive_edge(id);
    if (keep && !with_viewers.contains(id)) {
      if (demand.idle_since_us == 0) demand.idle_since_us = now_us;
      keep = now_us < demand.placed_until_us || now_us - demand.idle_since_us <= grace_us;
    }
    it = keep ? std::next(it) : state.edges.erase(it);
  }
}

void TreeController::Reconcile(const std::string& room) {
  if (commands_.OperatorOwned(room)) return;
  const uint64_t now = loop_.clock().NowUs();
  ++counters_.passes;
  RoomState& state = rooms_[room];
  UpdateFromReports(room, state, now);

  std::map<std::string, std::string> desired;  // child -> parent
  std::set<std::string> excluded;
  for (auto it = suspects_.begin(); it != suspects_.end();) {
    if (now >= it->second) {
      it = suspects_.erase(it);
      continue;
    }
    if (it->first != state.origin) excluded.insert(it->first);  // a room cannot move off its origin
    ++it;
  }
  NodeGraph graph(server_.registry(), latency_, options_, excluded);
  auto origin = state.origin.empty() ? std::nullopt : graph.Find(state.origin);
  if (!origin) {
    // No origin (yet: its report may trail the others'; or any more): the links stay for the
    // grace period, then go.
    if (state.no_origin_since_us == 0) state.no_origin_since_us = now;
    if (now - state.no_origin_since_us <= options_.origin_grace_ms * 1000) return;
    Apply(room, desired);
    if (state.edges.empty() && commands_.ViewOf(room).empty()) rooms_.erase(room);
    return;
  }
  state.no_origin_since_us = 0;

  // The tree as the links have it, from the origin down, over live nodes only: a link from a
  // dead node is simply absent, which leaves its children to be attached again below.
  const topology::Topology& topo = graph.topology();
  topology::StreamTree tree(&topo, *origin);
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& link : commands_.ViewOf(room)) children[link.parent].push_back(link.child);
  std::deque<topology::NodeId> queue{*origin};
  while (!queue.empty()) {
    const topology::NodeId parent = queue.front();
    queue.pop_front();
    for (const auto& child_id : children[graph.Id(parent)]) {
      auto child = graph.Find(child_id);
      if (!child || *child == *origin || tree.Linked(*child)) continue;
      if (topo.Node(parent).role == topology::NodeRole::kEdge && parent != *origin) continue;
      tree.Link(parent, *child);
      queue.push_back(*child);
    }
  }

  topology::TreeBuilder builder(&topo);
  std::map<topology::NodeId, uint64_t> wanted;  // edge -> its viewers (a placed one counts as 1)
  for (const auto& [id, demand] : state.edges) {
    if (auto node = graph.Find(id)) wanted[*node] = std::max<uint64_t>(demand.viewers, 1);
  }
  for (topology::NodeId member : tree.Members()) {
    if (member != *origin && topo.Node(member).role == topology::NodeRole::kEdge &&
        !wanted.contains(member)) {
      builder.DetachEdge(tree, member);
    }
  }
  for (const auto& [edge, viewers] : wanted) {
    if (edge == *origin) continue;
    if (tree.Contains(edge)) {
      tree.SetViewers(edge, viewers);
      continue;
    }
    auto attached = builder.AttachEdge(tree, edge, viewers);
    if (!attached.ok()) {
      ++counters_.attach_failures;
      LOG_WARN("control.tree_attach_failed", {"room", room}, {"edge", graph.Id(edge)},
               {"error", topology::ToString(attached.error())});
    }
  }
  counters_.rebalance_moves += builder.Rebalance(tree, options_.rebalance_moves, options_.rebalance_cost);
  // Relays left feeding nobody (their edges moved or left) are pruned, bottom up.
  for (bool pruned = true; pruned;) {
    pruned = false;
    for (topology::NodeId member : tree.Members()) {
      if (member != *origin && topo.Node(member).role == topology::NodeRole::kRelay &&
          tree.Children(member).empty()) {
        tree.Unlink(member);
        pruned = true;
      }
    }
  }
  for (topology::NodeId member : tree.Members()) {
    if (member != *origin) desired[graph.Id(member)] = graph.Id(tree.Parent(member));
  }
  if (options_.standby_relays) AddStandbys(graph, tree, desired);
  Apply(room, desired);
}

void TreeController::Apply(const std::string& room, const std::map<std::string, std::string>& desired) {
  if (!leader_) return;  // only the leading replica changes trees
  std::weak_ptr<bool> alive = alive_;
  auto report = [alive, room](const char* what, std::string parent, std::string child) {
    return [alive, room, what, parent = std::move(parent),
            child = std::move(child)](TreeCommands::Outcome outcome) {
      if (alive.expired() || outcome.status == 200) return;
      LOG_WARN("control.tree_change_failed", {"room", room}, {"change", what}, {"parent", parent},
               {"child", child}, {"status", outcome.status}, {"error", outcome.error});
    };
  };
  std::set<std::string> present;
  for (const auto& link : commands_.ViewOf(room)) {
    present.insert(link.child);
    if (link.busy) continue;  // settles first; the next pass looks again
    auto want = desired.find(link.child);
    if (want == desired.end()) {
      // While a fresh control adopts what nodes report, reports arrive one node at a time: a
      // relay adopted before its children would look idle. Nothing is removed until then.
      if (Adopting()) continue;
      ++counters_.links_removed;
      commands_.RemoveLink(room, link.child, report("remove", link.parent, link.child));
    } else if (want->second != link.parent) {
      ++counters_.links_moved;
      commands_.AddLink(room, want->second, link.child, report("move", want->second, link.child),
                        TreeCommands::Owner::kController, /*move=*/true);
    }
  }
  for (const auto& [child, parent] : desired) {
    if (present.contains(child)) continue;
    ++counters_.links_added;
    commands_.AddLink(room, parent, child, report("add", parent, child), TreeCommands::Owner::kController);
  }
}

}  // namespace cascade::control
