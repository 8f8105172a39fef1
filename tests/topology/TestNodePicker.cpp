#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "topology/NodePicker.hpp"

using namespace cascade::topology;

namespace {

NodeState Node(NodeId id, uint32_t users, uint32_t capacity = 100) {
  NodeState n;
  n.id = id;
  n.load.users = users;
  n.capacity.users = capacity;
  return n;
}

}  // namespace

TEST_CASE("Each full measure has two thresholds: no new session, then no new user") {
  FullThresholds t;  // 0.8 / 0.95 on every measure
  struct Case {
    const char* what;
    NodeLoad load;
    Fullness expected;
  };
  const Case cases[] = {
      {"idle", {}, Fullness::kOpen},
      {"users below first", {0, 79, 0, 0}, Fullness::kOpen},
      {"users at first", {0, 80, 0, 0}, Fullness::kNoNewSessions},
      {"users at second", {0, 95, 0, 0}, Fullness::kFull},
      {"sessions at first", {800, 0, 0, 0}, Fullness::kNoNewSessions},
      {"sessions at second", {950, 0, 0, 0}, Fullness::kFull},
      {"cpu at first", {0, 0, 0.85, 0}, Fullness::kNoNewSessions},
      {"cpu at second", {0, 0, 0.99, 0}, Fullness::kFull},
      {"network at first", {0, 0, 0, 8.5e9}, Fullness::kNoNewSessions},
      {"network at second", {0, 0, 0, 9.6e9}, Fullness::kFull},
      {"worst measure wins", {10, 10, 0.1, 9.6e9}, Fullness::kFull},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    NodeState n;
    n.capacity.users = 100;
    n.load = c.load;
    CHECK(Classify(n, t) == c.expected);
    CHECK(CanAccept(n, t, JoinKind::kNewSession) == (c.expected == Fullness::kOpen));
    CHECK(CanAccept(n, t, JoinKind::kNewUser) == (c.expected != Fullness::kFull));
  }
  NodeState down = Node(0, 0);
  down.up = false;
  CHECK(Classify(down, t) == Fullness::kFull);
}

TEST_CASE("Server packing fills the busiest node that still accepts; least used the idlest") {
  FullThresholds t;
  PickerState state;
  const std::vector<NodeState> nodes = {Node(0, 10), Node(1, 70), Node(2, 85), Node(3, 5), Node(4, 97)};
  // Node 4 is full; node 2 takes only users of sessions it hosts.
  CHECK(PickNode(nodes, DcPolicy::kServerPacking, t, JoinKind::kNewUser, state) == size_t{2});
  CHECK(PickNode(nodes, DcPolicy::kServerPacking, t, JoinKind::kNewSession, state) == size_t{1});
  CHECK(PickNode(nodes, DcPolicy::kLeastUsed, t, JoinKind::kNewUser, state) == size_t{3});
  CHECK(PickNode(nodes, DcPolicy::kLeastUsed, t, JoinKind::kNewSession, state) == size_t{3});
  const std::vector<NodeState> full = {Node(0, 99), Node(1, 96)};
  for (uint8_t p = 0; p < static_cast<uint8_t>(DcPolicy::kCount); ++p) {
    CAPTURE(ToString(static_cast<DcPolicy>(p)));
    CHECK_FALSE(PickNode(full, static_cast<DcPolicy>(p), t, JoinKind::kNewUser, state));
    CHECK_FALSE(PickNode({}, static_cast<DcPolicy>(p), t, JoinKind::kNewUser, state));
  }
}

TEST_CASE("Round robin cycles over accepting nodes and skips full ones") {
  FullThresholds t;
  PickerState state;
  const std::vector<NodeState> nodes = {Node(0, 0), Node(1, 99), Node(2, 0), Node(3, 0)};
  std::vector<size_t> picks;
  for (int i = 0; i < 6; ++i)
    picks.push_back(*PickNode(nodes, DcPolicy::kRoundRobin, t, JoinKind::kNewUser, state));
  CHECK(picks == std::vector<size_t>{0, 2, 3, 0, 2, 3});
}

TEST_CASE("Random is seeded, uniform over accepting nodes and never picks a full one") {
  FullThresholds t;
  const std::vector<NodeState> nodes = {Node(0, 0), Node(1, 99), Node(2, 0), Node(3, 0)};
  PickerState a, b;
  a.rng = Rng(42);
  b.rng = Rng(42);
  int counts[4] = {0, 0, 0, 0};
  for (int i = 0; i < 3000; ++i) {
    const auto pa = PickNode(nodes, DcPolicy::kRandom, t, JoinKind::kNewUser, a);
    const auto pb = PickNode(nodes, DcPolicy::kRandom, t, JoinKind::kNewUser, b);
    REQUIRE(pa);
    CHECK(pa == pb);
    ++counts[*pa];
  }
  CHECK(counts[1] == 0);
  for (int i : {0, 2, 3}) CHECK(counts[i] == doctest::Approx(1000).epsilon(0.1));
  CHECK(ParseDcPolicy("packing") == DcPolicy::kServerPacking);
  CHECK_FALSE(ParseDcPolicy("nope"));
}
