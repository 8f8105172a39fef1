#pragma once
// "Full" as in the seed's allocation schemes: each measure (sessions, users, CPU, network) has
// two thresholds as fractions of capacity. Above the first the node takes no new session,
// above the second not even a new user of a session it already hosts. The gap is the slack
// that lets sessions already on a node grow without spilling onto a second node.
#include <cstdint>

#include "topology/NodeState.hpp"

namespace cascade::topology {

struct Threshold {
  double no_new_sessions = 0.8;
  double no_new_users = 0.95;
};

struct FullThresholds {
  Threshold sessions;
  Threshold users;
  Threshold cpu;
  Threshold network;
};

enum class Fullness : uint8_t { kOpen, kNoNewSessions, kFull, kCount };
const char* ToString(Fullness f);

// A join that opens the session on this node, or one more user of a session already here.
enum class JoinKind : uint8_t { kNewSession, kNewUser, kCount };
const char* ToString(JoinKind k);

// Highest utilisation over the four measures, 0..1+ (the "how used" of packing/least used).
double Utilisation(const NodeState& node);
Fullness Classify(const NodeState& node, const FullThresholds& thresholds);
bool CanAccept(const NodeState& node, const FullThresholds& thresholds, JoinKind kind);

}  // namespace cascade::topology
