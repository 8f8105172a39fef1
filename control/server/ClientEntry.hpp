#pragma once
// Where clients enter: POST /whip/{room} and /whep/{room} on control answer 307 with the
// chosen edge's WHIP/WHEP URL (browsers repeat the POST there, body and headers included).
// The edge is chosen with topology's placement functions over the nodes' reported load.
// A room without a stream tree (TreeCommands) has one edge ("first in room"): the first
// join picks it, the rest follow. A room with a tree sends its publisher to the tree's
// root when that root is a registered edge (otherwise to the room's edge as above), and
// spreads its viewers over the tree's registered edges only.
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "control/server/NodeRegistry.hpp"
#include "control/server/TreeCommands.hpp"
#include "core/net/HttpRouter.hpp"
#include "topology/NodePicker.hpp"

namespace cascade::control {

class ClientEntry {
 public:
  // `tree` may be null (no tree-aware placement).
  ClientEntry(const NodeRegistry& registry, topology::DcPolicy policy, const TreeCommands* tree = nullptr);
  void AddRoutes(net::HttpRouter& router);
  // The node id of the edge serving `room` when it has no tree, choosing one if needed;
  // nullopt if none can.
  std::optional<std::string> EdgeFor(const std::string& room);
  // Where a publisher (`publish`) or a viewer of `room` goes; nullopt if no edge can.
  std::optional<std::string> EntryFor(const std::string& room, bool publish);

 private:
  bool IsLiveEdge(const std::string& id) const;
  // Picks among the live edges `allowed` accepts, by the placement policy.
  std::optional<std::string> PickEdge(const std::function<bool(const std::string&)>& allowed);

  const NodeRegistry& registry_;
  const TreeCommands* tree_;  // passed by argument, may be null
  topology::DcPolicy policy_;
  topology::FullThresholds thresholds_;
  topology::PickerState picker_;
  std::map<std::string, std::string> room_edges_;
  uint64_t redirects_ = 0;
};

}  // namespace cascade::control
