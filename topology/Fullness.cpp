#include "topology/Fullness.hpp"

#include <algorithm>

namespace cascade::topology {
namespace {

double Fraction(double used, double capacity) { return capacity > 0 ? used / capacity : 1.0; }

// Worst of the two thresholds over one measure.
Fullness Measure(double fraction, const Threshold& t) {
  if (fraction >= t.no_new_users) return Fullness::kFull;
  if (fraction >= t.no_new_sessions) return Fullness::kNoNewSessions;
  return Fullness::kOpen;
}

}  // namespace

const char* ToString(Fullness f) {
  switch (f) {
    case Fullness::kOpen: return "open";
    case Fullness::kNoNewSessions: return "no-new-sessions";
    case Fullness::kFull: return "full";
    case Fullness::kCount: break;
  }
  return "?";
}

const char* ToString(JoinKind k) {
  switch (k) {
    case JoinKind::kNewSession: return "new-session";
    case JoinKind::kNewUser: return "new-user";
    case JoinKind::kCount: break;
  }
  return "?";
}

double Utilisation(const NodeState& node) {
  return std::max({Fraction(node.load.sessions, node.capacity.sessions),
                   Fraction(node.load.users, node.capacity.users), Fraction(node.load.cpu, node.capacity.cpu),
                   Fraction(node.load.egress_bps, node.capacity.egress_bps)});
}

Fullness Classify(const NodeState& node, const FullThresholds& t) {
  if (!node.up) return Fullness::kFull;
  return std::max({Measure(Fraction(node.load.sessions, node.capacity.sessions), t.sessions),
                   Measure(Fraction(node.load.users, node.capacity.users), t.users),
                   Measure(Fraction(node.load.cpu, node.capacity.cpu), t.cpu),
                   Measure(Fraction(node.load.egress_bps, node.capacity.egress_bps), t.network)});
}

bool CanAccept(const NodeState& node, const FullThresholds& t, JoinKind kind) {
  const Fullness f = Classify(node, t);
  return kind == JoinKind::kNewSession ? f == Fullness::kOpen : f != Fullness::kFull;
}

}  // namespace cascade::topology
