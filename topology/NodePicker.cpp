#include "topology/NodePicker.hpp"

#include <cstring>

namespace cascade::topology {

const char* ToString(DcPolicy p) {
  switch (p) {
    case DcPolicy::kServerPacking: return "packing";
    case DcPolicy::kLeastUsed: return "least-used";
    case DcPolicy::kRoundRobin: return "round-robin";
    case DcPolicy::kRandom: return "random";
    case DcPolicy::kCount: break;
  }
  return "?";
}

std::optional<DcPolicy> ParseDcPolicy(const char* name) {
  for (uint8_t i = 0; i < static_cast<uint8_t>(DcPolicy::kCount); ++i) {
    const auto p = static_cast<DcPolicy>(i);
    if (std::strcmp(name, ToString(p)) == 0) return p;
  }
  return std::nullopt;
}

std::optional<size_t> PickNode(std::span<const NodeState> nodes, DcPolicy policy,
                               const FullThresholds& thresholds, JoinKind kind, PickerState& state) {
  const size_t n = nodes.size();
  if (n == 0) return std::nullopt;
  switch (policy) {
    case DcPolicy::kServerPacking:
    case DcPolicy::kLeastUsed: {
      std::optional<size_t> best;
      double best_use = 0;
      for (size_t i = 0; i < n; ++i) {
        if (!CanAccept(nodes[i], thresholds, kind)) continue;
        const double use = Utilisation(nodes[i]);
        const bool better = policy == DcPolicy::kServerPacking ? use > best_use : use < best_use;
        if (!best || better) {
          best = i;
          best_use = use;
        }
      }
      return best;
    }
    case DcPolicy::kRoundRobin: {
      for (size_t k = 0; k < n; ++k) {
        const size_t i = (state.round_robin_next + k) % n;
        if (CanAccept(nodes[i], thresholds, kind)) {
          state.round_robin_next = (i + 1) % n;
          return i;
        }
      }
      return std::nullopt;
    }
    case DcPolicy::kRandom: {
      // Uniform over the accepting nodes: count, draw, then walk to the drawn one.
      size_t accepting = 0;
      for (size_t i = 0; i < n; ++i) accepting += CanAccept(nodes[i], thresholds, kind) ? 1 : 0;
      if (accepting == 0) return std::nullopt;
      size_t pick = state.rng.Below(accepting);
      for (size_t i = 0; i < n; ++i) {
        if (!CanAccept(nodes[i], thresholds, kind)) continue;
        if (pick-- == 0) return i;
      }
      return std::nullopt;
    }
    case DcPolicy::kCount: break;
  }
  return std::nullopt;
}

}  // namespace cascade::topology
