#include "topology/RegionSelector.hpp"

#include <cstring>

namespace cascade::topology {

const char* ToString(RegionMode m) {
  switch (m) {
    case RegionMode::kFirstInRoom: return "first-in-room";
    case RegionMode::kApplicationSpecific: return "application";
    case RegionMode::kCascading: return "cascading";
    case RegionMode::kSenderDecides: return "sender-decides";
    case RegionMode::kCount: break;
  }
  return "?";
}

std::optional<RegionMode> ParseRegionMode(const char* name) {
  for (uint8_t i = 0; i < static_cast<uint8_t>(RegionMode::kCount); ++i) {
    const auto m = static_cast<RegionMode>(i);
    if (std::strcmp(name, ToString(m)) == 0) return m;
  }
  return std::nullopt;
}

RegionId AnchorRegion(RegionMode mode, const RoomRegions& room, RegionId client_region) {
  switch (mode) {
    case RegionMode::kFirstInRoom: return room.first_user.value_or(client_region);
    case RegionMode::kApplicationSpecific: return room.application.value_or(client_region);
    case RegionMode::kSenderDecides: return room.publisher.value_or(client_region);
    case RegionMode::kCascading:
    case RegionMode::kCount: break;
  }
  return client_region;
}

void RankRegions(RegionMode mode, const RoomRegions& room, RegionId client_region,
                 const LatencyMatrix& latency, const std::vector<bool>& has_edges,
                 std::vector<RegionId>& out) {
  out.clear();
  const RegionId anchor = AnchorRegion(mode, room, client_region);
  if (anchor >= latency.Size()) return;
  for (RegionId r : latency.NearestOrder(anchor)) {
    if (r < has_edges.size() && has_edges[r]) out.push_back(r);
  }
}

RegionId NearestRegionTo(const LatencyMatrix& latency, GeoPoint where) {
  RegionId best = kNoRegion;
  double best_km = 0;
  for (size_t i = 0; i < latency.Size(); ++i) {
    const auto& c = latency.Coordinates(static_cast<RegionId>(i));
    if (!c) continue;
    const double km = GreatCircleKm(where, *c);
    if (best == kNoRegion || km < best_km) {
      best = static_cast<RegionId>(i);
      best_km = km;
    }
  }
  return best;
}

}  // namespace cascade::topology
