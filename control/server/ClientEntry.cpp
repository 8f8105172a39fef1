#include "control/server/ClientEntry.hpp"

#include <algorithm>
#include <vector>

namespace cascade::control {

ClientEntry::ClientEntry(const NodeRegistry& registry, topology::DcPolicy policy, const TreeCommands* tree)
    : registry_(registry), tree_(tree), policy_(policy) {}

bool ClientEntry::IsLiveEdge(const std::string& id) const {
  auto node = registry_.nodes().find(id);
  return node != registry_.nodes().end() && node->second.alive && node->second.hello.role == NodeRole::kEdge;
}

std::optional<std::string> ClientEntry::EntryFor(const std::string& room, bool publish) {
  if (tree_) {
    auto nodes = tree_->NodesOf(room);
    if (!nodes.empty()) {
      if (!publish) {
        return PickEdge(
            [&](const std::string& id) { return std::find(nodes.begin(), nodes.end(), id) != nodes.end(); });
      }
      auto root = tree_->RootOf(room);
      if (root && IsLiveEdge(*root)) return root;
    }
  }
  return EdgeFor(room);
}

std::optional<std::string> ClientEntry::EdgeFor(const std::string& room) {
  auto known = room_edges_.find(room);
  if (known != room_edges_.end()) {
    if (IsLiveEdge(known->second)) return known->second;
    room_edges_.erase(known);  // its edge died: the room moves
  }
  auto pick = PickEdge([](const std::string&) { return true; });
  if (pick) room_edges_[room] = *pick;
  return pick;
}

std::optional<std::string> ClientEntry::PickEdge(const std::function<bool(const std::string&)>& allowed) {
  std::vector<topology::NodeState> candidates;
  std::vector<std::string> ids;
  for (const auto& [id, record] : registry_.nodes()) {
    if (!record.alive || record.hello.role != NodeRole::kEdge || !allowed(id)) continue;
    topology::NodeState state;
    state.id = static_cast<topology::NodeId>(ids.size());
    state.load.sessions = record.load.sessions;
    state.load.users = record.load.users;
    state.load.cpu = record.load.cpu_percent / 100.0 / std::max<uint16_t>(1, record.hello.capacity.cores);
    state.load.egress_bps = static_cast<double>(record.load.egress_bps);
    if (record.hello.capacity.max_sessions) state.capacity.sessions = record.hello.capacity.max_sessions;
    if (record.hello.capacity.max_users) state.capacity.users = record.hello.capacity.max_users;
    if (record.hello.capacity.egress_bps)
      state.capacity.egress_bps = static_cast<double>(record.hello.capacity.egress_bps);
    candidates.push_back(state);
    ids.push_back(id);
  }
  auto pick = topology::PickNode(candidates, policy_, thresholds_, topology::JoinKind::kNewSession, picker_);
  if (!pick) return std::nullopt;
  return ids[*pick];
}

void ClientEntry::AddRoutes(net::HttpRouter& router) {
  for (const char* kind : {"whip", "whep"}) {
    std::string prefix = std::string("/") + kind + "/";
    bool publish = prefix == "/whip/";
    router.Add("POST", prefix + "{room}",
               [this, prefix, publish](net::HttpRequest& request, net::HttpRespond respond) {
                 const std::string& room = request.params["room"];
                 auto edge = EntryFor(room, publish);
                 if (!edge) throw net::HttpError(503, "no edge can take this session now");
                 const auto& record = registry_.nodes().at(*edge);
                 net::HttpResponse response;
                 response.status = 307;
                 response.Set("Location", record.hello.http_url + prefix + room);
                 ++redirects_;
                 respond(std::move(response));
               });
  }
}

}  // namespace cascade::control
