#pragma once
// Where clients enter: POST /whip/{room} and /whep/{room} on control answer 307 with the
// chosen edge's WHIP/WHEP URL (browsers repeat the POST there, body and headers included).
// The edge is chosen with topology's placement functions over the nodes' reported load.
// Until relay links carry streams between edges, every client of a room lands on the
// room's edge ("first in room"): the first join picks it, the rest follow.
#include <map>
#include <optional>
#include <string>

#include "control/server/NodeRegistry.hpp"
#include "core/net/HttpRouter.hpp"
#include "topology/NodePicker.hpp"

namespace cascade::control {

class ClientEntry {
 public:
  ClientEntry(const NodeRegistry& registry, topology::DcPolicy policy);
  void AddRoutes(net::HttpRouter& router);
  // The node id of the edge serving `room`, choosing one if needed; nullopt if none can.
  std::optional<std::string> EdgeFor(const std::string& room);

 private:
  const NodeRegistry& registry_;
  topology::DcPolicy policy_;
  topology::FullThresholds thresholds_;
  topology::PickerState picker_;
  std::map<std::string, std::string> room_edges_;
  uint64_t redirects_ = 0;
};

}  // namespace cascade::control
