#pragma once
// Which edge a joining client gets, over the registry's live edges and their reported load:
// the room's region mode ranks the regions (topology::RankRegions from the client's region),
// then inside each region in turn the data-center policy picks an edge that is not full
// (topology::PickNode with the two-threshold Fullness). In a region, edges that already host
// the room are tried first as one more user of its session, the others as a new session, so
// a room stays on one edge per region until that edge fills. All regions full: refused.
// Loads are as of each edge's last heartbeat plus what was placed there since, so a burst of
// joins between two heartbeats does not all land on the edge that looked least used.
//
//   EdgePlacer placer(registry, regions, thresholds);
//   RoomPlacement room;  // kept by the caller per room
//   auto placed = placer.Place({.publish = false, .client_region = r}, room);
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "control/server/NodeRegistry.hpp"
#include "control/server/RegionMap.hpp"
#include "core/base/Result.hpp"
#include "topology/NodePicker.hpp"
#include "topology/RegionSelector.hpp"

namespace cascade::control {

// What placement remembers of a room: its regions (first user, publisher) and the edges it
// was placed on.
struct RoomPlacement {
  topology::RoomRegions regions;
  std::map<std::string, uint64_t> edges;  // edge id -> placements made there
};

struct PlacementRequest {
  bool publish = false;
  topology::RegionId client_region = 0;
  topology::RegionMode mode = topology::RegionMode::kCascading;
  topology::DcPolicy policy = topology::DcPolicy::kLeastUsed;
  std::optional<topology::RegionId> application_region;  // the application-specific mode's region
  // Restricts the candidates (a room whose tree was set by hand); empty: every live edge.
  std::function<bool(const std::string& edge_id)> allowed;
};

struct Placement {
  std::string edge_id;
  topology::RegionId region = 0;
};

enum class PlacementRefusal : uint8_t { kNoEdge, kFull, kCount };

class EdgePlacer {
 public:
  EdgePlacer(const NodeRegistry& registry, const RegionMap& regions, topology::FullThresholds thresholds);

  // Chooses and records the edge in `room`; kNoEdge when no live edge is a candidate at all.
  base::Result<Placement, PlacementRefusal> Place(const PlacementRequest& request, RoomPlacement& room);
  // What Place would answer now, recording nothing: neither the room, nor the loads placed
  // since the last heartbeats, nor the policy's cursor move (operators asking "where would
  // this client go?" must not change where the next real one goes).
  base::Result<Placement, PlacementRefusal> Preview(const PlacementRequest& request,
                                                    const RoomPlacement& room) const;
  // The NodeState topology sees for one registry record.
  static topology::NodeState StateOf(const NodeRecord& record);

 private:
  // Placed on an edge since its heartbeat number `heartbeats`.
  struct Pending {
    uint64_t heartbeats = 0;
    uint32_t sessions = 0;
    uint32_t users = 0;
  };
  struct Candidate {
    std::string id;
    topology::RegionId region;
    topology::NodeState state;
  };
  std::optional<size_t> PickIn(const std::vector<const Candidate*>& pool, const PlacementRequest& request,
                               topology::JoinKind kind);

  const NodeRegistry& registry_;
  const RegionMap& regions_;
  topology::FullThresholds thresholds_;
  // One per policy, so a per-request policy keeps its own cursor or generator.
  std::map<topology::DcPolicy, topology::PickerState> pickers_;
  std::map<std::string, Pending> pending_;
};

}  // namespace cascade::control
