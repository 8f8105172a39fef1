#include "control/server/ClientEntry.hpp"

#include <vector>

namespace cascade::control {

ClientEntry::ClientEntry(const NodeRegistry& registry, topology::DcPolicy policy)
    : registry_(registry), policy_(policy) {}

std::optional<std::string> ClientEntry::EdgeFor(const std::string& room) {
  auto known = room_edges_.find(room);
  if (known != room_edges_.end()) {
    auto node = registry_.nodes().find(known->second);
    if (node != registry_.nodes().end() && node->second.alive) return known->second;
    room_edges_.erase(known);  // its edge died: the room moves
  }
  std::vector<topology::NodeState> candidates;
  std::vector<std::string> ids;
  for (const auto& [id, record] : registry_.nodes()) {
    if (!record.alive || record.hello.role != NodeRole::kEdge) continue;
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
  room_edges_[room] = ids[*pick];
  return ids[*pick];
}

void ClientEntry::AddRoutes(net::HttpRouter& router) {
  for (const char* kind : {"whip", "whep"}) {
    std::string prefix = std::string("/") + kind + "/";
    router.Add("POST", prefix + "{room}",
               [this, prefix](net::HttpRequest& request, net::HttpRespond respond) {
                 const std::string& room = request.params["room"];
                 auto edge = EdgeFor(room);
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
