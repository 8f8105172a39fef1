#pragma once
// What the placement functions see of one media node: its load and its capacity, as last
// reported to control. Plain data so that control, tests and the simulator fill it alike.
#include <cstdint>

#include "topology/Types.hpp"

namespace cascade::topology {

struct NodeLoad {
  uint32_t sessions = 0;
  uint32_t users = 0;
  double cpu = 0;  // busy fraction of all cores, 0..1
  double egress_bps = 0;
};

struct NodeCapacity {
  uint32_t sessions = 1000;
  uint32_t users = 10000;
  double cpu = 1.0;
  double egress_bps = 10e9;
};

struct NodeState {
  NodeId id = 0;
  RegionId region = 0;
  bool up = true;
  NodeLoad load;
  NodeCapacity capacity;
};

}  // namespace cascade::topology
