#pragma once
// Which region hosts a user of a room, the seed's four modes:
//  - first in room: the region of the room's first user hosts everyone;
//  - application specific: the application names the region (e.g. the host's);
//  - cascading (default): every user goes to the edge closest to them, and the session's tree
//    meshes that edge in;
//  - sender decides: viewers attach at edges in the publisher's region.
// The answer is a preference list, so that the caller overflows to the next region when every
// node of the preferred one is full; overflow goes to the region nearest the preferred one.
#include <cstdint>
#include <optional>
#include <vector>

#include "topology/LatencyMatrix.hpp"

namespace cascade::topology {

enum class RegionMode : uint8_t { kFirstInRoom, kApplicationSpecific, kCascading, kSenderDecides, kCount };
const char* ToString(RegionMode m);
std::optional<RegionMode> ParseRegionMode(const char* name);

struct RoomRegions {
  std::optional<RegionId> first_user;   // set by the room's first join
  std::optional<RegionId> application;  // set by the application, if it names one
  std::optional<RegionId> publisher;    // region of the (main) publisher's edge
};

// The region whose neighbours are tried in order: the mode's anchor, or the client's own region
// when the mode has no anchor yet (first join, no publisher, no application choice).
RegionId AnchorRegion(RegionMode mode, const RoomRegions& room, RegionId client_region);

// Fills `out` with the regions to try, best first: the anchor then regions by RTT from it.
// `has_edges[r]` marks regions that host edges at all; others are skipped. Reuses `out`'s
// storage so the simulator's join path does not allocate.
void RankRegions(RegionMode mode, const RoomRegions& room, RegionId client_region,
                 const LatencyMatrix& latency, const std::vector<bool>& has_edges,
                 std::vector<RegionId>& out);

// Region whose coordinates are nearest `where` by great circle (a GeoIP location), or
// kNoRegion when no region has coordinates.
RegionId NearestRegionTo(const LatencyMatrix& latency, GeoPoint where);

}  // namespace cascade::topology
