#pragma once
// Small value types shared by the topology code. Regions and nodes are dense indices so that
// the simulator can keep per-region and per-node state in flat vectors.
#include <cstdint>
#include <limits>

namespace cascade::topology {

using RegionId = uint16_t;
using NodeId = uint32_t;

inline constexpr RegionId kNoRegion = std::numeric_limits<RegionId>::max();
inline constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();

}  // namespace cascade::topology
