#include "control/server/EdgePlacer.hpp"

#include <algorithm>
#include <vector>

namespace cascade::control {

EdgePlacer::EdgePlacer(const NodeRegistry& registry, const RegionMap& regions,
                       topology::FullThresholds thresholds)
    : registry_(registry), regions_(regions), thresholds_(thresholds) {}

topology::NodeState EdgePlacer::StateOf(const NodeRecord& record) {
  topology::NodeState state;
  state.load.sessions = record.load.sessions;
  state.load.users = record.load.users;
  state.load.cpu = record.load.cpu_percent / 100.0 / std::max<uint16_t>(1, record.hello.capacity.cores);
  state.load.egress_bps = static_cast<double>(record.load.egress_bps);
  if (record.hello.capacity.max_sessions) state.capacity.sessions = record.hello.capacity.max_sessions;
  if (record.hello.capacity.max_users) state.capacity.users = record.hello.capacity.max_users;
  if (record.hello.capacity.egress_bps)
    state.capacity.egress_bps = static_cast<double>(record.hello.capacity.egress_bps);
  return state;
}

std::optional<size_t> EdgePlacer::PickIn(const std::vector<const Candidate*>& pool,
                                         const PlacementRequest& request, topology::JoinKind kind) {
  if (pool.empty()) return std::nullopt;
  std::vector<topology::NodeState> states;
  states.reserve(pool.size());
  for (const Candidate* candidate : pool) states.push_back(candidate->state);
  return topology::PickNode(states, request.policy, thresholds_, kind, pickers_[request.policy]);
}

base::Result<Placement, PlacementRefusal> EdgePlacer::Place(const PlacementRequest& request,
                                                            RoomPlacement& room) {
  std::vector<Candidate> candidates;
  std::vector<bool> has_edges(regions_.latency().Size(), false);
  for (const auto& [id, record] : registry_.nodes()) {
    if (!record.alive || record.hello.role != NodeRole::kEdge) continue;
    if (request.allowed && !request.allowed(id)) continue;
    Candidate candidate{id, regions_.Of(record.hello.region), StateOf(record)};
    Pending& pending = pending_[id];
    if (pending.heartbeats != record.heartbeats) pending = Pending{record.heartbeats, 0, 0};
    candidate.state.load.sessions += pending.sessions;
    candidate.state.load.users += pending.users;
    candidate.state.id = static_cast<topology::NodeId>(candidates.size());
    candidate.state.region = candidate.region;
    has_edges[candidate.region] = true;
    candidates.push_back(std::move(candidate));
  }
  if (candidates.empty()) return base::Fail(PlacementRefusal::kNoEdge);
  // Edges that died or left are forgotten, so the room can move.
  std::erase_if(room.edges, [&](const auto& entry) {
    return std::none_of(candidates.begin(), candidates.end(),
                        [&](const Candidate& c) { return c.id == entry.first; });
  });

  topology::RoomRegions regions = room.regions;
  if (request.application_region) regions.application = request.application_region;
  std::vector<topology::RegionId> ranked;
  topology::RankRegions(request.mode, regions, request.client_region, regions_.latency(), has_edges, ranked);

  for (topology::RegionId region : ranked) {
    std::vector<const Candidate*> hosting, all;
    for (const auto& candidate : candidates) {
      if (candidate.region != region) continue;
      all.push_back(&candidate);
      if (room.edges.contains(candidate.id)) hosting.push_back(&candidate);
    }
    // A publisher opens a stream (a new session) wherever it lands.
    const Candidate* chosen = nullptr;
    if (!request.publish) {
      if (auto pick = PickIn(hosting, request, topology::JoinKind::kNewUser)) chosen = hosting[*pick];
    }
    const bool new_session = !chosen;
    if (!chosen) {
      if (auto pick = PickIn(all, request, topology::JoinKind::kNewSession)) chosen = all[*pick];
    }
    if (!chosen) continue;  // this region is full: overflow to the next nearest
    Pending& pending = pending_[chosen->id];
    pending.sessions += new_session ? 1 : 0;
    ++pending.users;
    ++room.edges[chosen->id];
    if (!room.regions.first_user) room.regions.first_user = region;
    if (request.publish) room.regions.publisher = region;
    return Placement{chosen->id, region};
  }
  return base::Fail(PlacementRefusal::kFull);
}

base::Result<Placement, PlacementRefusal> EdgePlacer::Preview(const PlacementRequest& request,
                                                              const RoomPlacement& room) const {
  // The same code on copies, so a preview can never drift from a real placement.
  EdgePlacer scratch(*this);
  RoomPlacement scratch_room = room;
  return scratch.Place(request, scratch_room);
}

}  // namespace cascade::control
