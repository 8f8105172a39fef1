#pragma once
// Choice of one node inside a data center, the seed's four schemes as one pure function:
//  - server packing fills the most used node that still accepts (few nodes busy, others can
//    be drained or scaled in);
//  - least used spreads load (best per-user quality, most nodes touched);
//  - round robin and seeded random are the cheap baselines.
// Policy state (cursor, generator) is passed in so that callers own it and tests replay it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "topology/Fullness.hpp"
#include "topology/Rng.hpp"

namespace cascade::topology {

enum class DcPolicy : uint8_t { kServerPacking, kLeastUsed, kRoundRobin, kRandom, kCount };
const char* ToString(DcPolicy p);
std::optional<DcPolicy> ParseDcPolicy(const char* name);

struct PickerState {
  size_t round_robin_next = 0;
  Rng rng;
};

// Index into `nodes` of the chosen node, or nullopt when every node is full for this kind of
// join. Ties go to the lowest index so results are deterministic.
std::optional<size_t> PickNode(std::span<const NodeState> nodes, DcPolicy policy,
                               const FullThresholds& thresholds, JoinKind kind, PickerState& state);

}  // namespace cascade::topology
