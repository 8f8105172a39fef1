// Mesh-wide SSRC ranges: unique among live nodes however many there are, kept by a node
// across reconnects and across a control restart whatever order nodes come back in.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "control/client/ControlClient.hpp"
#include "control/server/ControlServer.hpp"
#include "control/server/NodeRegistry.hpp"
#include "core/dtls/Certificate.hpp"
#include "tests/RunLoop.hpp"
#include "tests/control/TestNodes.hpp"

using namespace cascade;
using namespace cascade::control;
using cascade::test::ControlCertificate;
using cascade::test::MakeHello;

using cascade::test::RunUntil;

namespace {

uint32_t RangeOf(NodeRegistry& registry, const NodeHello& hello, uint64_t now_us) {
  auto ack = registry.Register(hello, now_us, 1000);
  REQUIRE(ack.ok());
  return ack->ssrc_range_start;
}

std::string Id(int i) { return "node-" + std::to_string(i); }

}  // namespace

TEST_CASE("300 nodes get 300 distinct ranges, each inside the 32-bit space above the base") {
  NodeRegistry registry;
  std::set<uint32_t> starts;
  for (int i = 0; i < 300; ++i) {
    uint32_t start = RangeOf(registry, MakeHello(Id(i)), 1000);
    CHECK(SsrcRanges::IsRangeStart(start));
    CHECK(uint64_t{start} + SsrcRanges::kSize <= uint64_t{1} << 32);
    starts.insert(start);
  }
  CHECK(starts.size() == 300);
  CHECK(registry.ssrc_ranges().held() == 300);
  CHECK(SsrcRanges::kCount == 61440);
  CHECK(uint64_t{SsrcRanges::kBase} + uint64_t{SsrcRanges::kCount} * SsrcRanges::kSize == uint64_t{1} << 32);
}

TEST_CASE("After a control restart nodes reconnecting in another order keep their ranges") {
  std::map<std::string, uint32_t> held;
  {
    NodeRegistry before({.seed = 7});
    for (int i = 0; i < 50; ++i) held[Id(i)] = RangeOf(before, MakeHello(Id(i)), 1000);
  }
  NodeRegistry after({.seed = 8});  // a restarted control remembers nothing
  // A node that never registered before arrives first and takes none of the old ranges.
  uint32_t newcomer = RangeOf(after, MakeHello("newcomer"), 2000);
  std::vector<std::string> order;
  for (const auto& [id, start] : held) {
    CHECK(start != newcomer);
    order.push_back(id);
  }
  std::reverse(order.begin(), order.end());
  std::rotate(order.begin(), order.begin() + 17, order.end());
  for (const auto& id : order) CHECK(RangeOf(after, MakeHello(id, held[id]), 2000) == held[id]);
  CHECK(after.ssrc_ranges().held() == 51);
}

TEST_CASE("Two nodes claiming the same range: the second gets another one") {
  NodeRegistry registry;
  const uint32_t claimed = SsrcRanges::kBase + 5 * SsrcRanges::kSize;
  CHECK(RangeOf(registry, MakeHello("edge-a", claimed), 1000) == claimed);
  uint32_t second = RangeOf(registry, MakeHello("edge-b", claimed), 1000);
  CHECK(second != claimed);
  CHECK(SsrcRanges::IsRangeStart(second));
  // Claims that are no range start are ignored.
  uint32_t odd = RangeOf(registry, MakeHello("edge-c", claimed + 1), 1000);
  CHECK(SsrcRanges::IsRangeStart(odd));
  CHECK(odd != claimed);
  CHECK(SsrcRanges::IsRangeStart(RangeOf(registry, MakeHello("edge-d", 42), 1000)));
  // Re-registering, a node keeps what it has, whatever it claims.
  CHECK(RangeOf(registry, MakeHello("edge-b", claimed), 2000) == second);
}

TEST_CASE("A dead node's range is kept for it, then reused when no range is free; none left refuses") {
  NodeRegistry::Options options;
  options.ssrc_reuse_after_us = 60'000'000;
  NodeRegistry registry(options);
  const uint32_t claimed = SsrcRanges::kBase;
  CHECK(RangeOf(registry, MakeHello("gone", claimed), 1'000'000) == claimed);
  registry.MarkDisconnected("gone");
  // Dead but recently: its range is not given away, even to a claim.
  CHECK(RangeOf(registry, MakeHello("claimer", claimed), 2'000'000) != claimed);
  // Fill every other range.
  for (uint32_t i = 0; registry.ssrc_ranges().held() < SsrcRanges::kCount; ++i) {
    RangeOf(registry, MakeHello("filler-" + std::to_string(i)), 3'000'000);
  }
  auto refused = registry.Register(MakeHello("late"), 4'000'000, 1000);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error() == HelloRefusal::kNoSsrcRange);
  CHECK(registry.nodes().count("late") == 0);
  // The dead node comes back in time: still its range.
  CHECK(RangeOf(registry, MakeHello("gone"), 5'000'000) == claimed);
  registry.MarkDisconnected("gone");
  // Long dead (60 s after it was last heard): its range goes to the next node.
  CHECK(RangeOf(registry, MakeHello("late"), 66'000'000) == claimed);
  CHECK(registry.nodes().at("gone").ssrc_range_start == 0);
  // And it has none left when it returns.
  auto back = registry.Register(MakeHello("gone", claimed), 67'000'000, 1000);
  REQUIRE_FALSE(back.ok());
  CHECK(back.error() == HelloRefusal::kNoSsrcRange);
}

namespace {

struct RangeNode : ControlClient::Listener {
  std::vector<uint32_t> ranges;
  void OnControlClientRegistered(const HelloAck& ack) override { ranges.push_back(ack.ssrc_range_start); }
  void OnControlClientCommand(const ControlMessage&, CommandResult& result) override { result.ok = true; }
  NodeLoad OnControlClientLoadRequested() override { return {}; }
};

}  // namespace

TEST_CASE("Real nodes keep their ranges across a control restart (the hello carries the range)") {
  net::Loop loop;
  auto address = *net::SocketAddress::Parse("127.0.0.1", 0);
  auto metrics = std::make_unique<base::MetricsRegistry>();
  auto server = std::make_unique<ControlServer>(loop, address, ControlCertificate(), ControlServer::Options{},
                                                *metrics);
  auto bound = server->channel_address();
  std::vector<std::unique_ptr<RangeNode>> nodes;
  std::vector<std::unique_ptr<ControlClient>> clients;
  for (int i = 0; i < 6; ++i) {
    nodes.push_back(std::make_unique<RangeNode>());
    NodeHello hello;
    hello.node_id = Id(i);
    clients.push_back(std::make_unique<ControlClient>(loop, nodes.back().get(), bound,
                                                      ControlCertificate().fingerprint(), hello));
    clients.back()->Start();
  }
  auto all_registered = [&](size_t times) {
    return std::all_of(nodes.begin(), nodes.end(), [&](const auto& n) { return n->ranges.size() == times; });
  };
  RunUntil(loop, [&] { return all_registered(1); });
  REQUIRE(all_registered(1));
  server.reset();
  metrics = std::make_unique<base::MetricsRegistry>();
  server =
      std::make_unique<ControlServer>(loop, bound, ControlCertificate(), ControlServer::Options{}, *metrics);
  RunUntil(
      loop, [&] { return all_registered(2); }, 15000);
  REQUIRE(all_registered(2));
  std::set<uint32_t> distinct;
  for (const auto& node : nodes) {
    CHECK(node->ranges[1] == node->ranges[0]);
    distinct.insert(node->ranges[1]);
  }
  CHECK(distinct.size() == nodes.size());
}
