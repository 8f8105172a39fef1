// Control's own trees over real nodes on loopback: each node is a real ControlClient that
// applies tree commands to the rooms it reports in its heartbeats, as a media node does.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <set>

#include "control/client/ControlClient.hpp"
#include "control/server/ControlServer.hpp"
#include "control/server/TreeCommands.hpp"
#include "control/server/TreeController.hpp"
#include "core/dtls/Certificate.hpp"
#include "tests/RunLoop.hpp"
#include "topology/StreamTree.hpp"
#include "topology/TreeBuilder.hpp"

using namespace cascade;
using namespace cascade::control;

using cascade::test::RunUntil;

namespace {

const dtls::Certificate& Certificate() {
  static auto certificate = dtls::Certificate::Generate("test-control");
  return *certificate;
}

// A media node as control sees it: it reports its rooms (publisher, viewers, parent) and
// changes them as commands say.
struct ReportingNode : ControlClient::Listener {
  struct Room {
    bool publisher = false;
    uint32_t viewers = 0;
    std::string parent;
    std::set<std::string> children;
  };
  std::map<std::string, Room> rooms;
  std::vector<ControlBody> commands;
  NodeLoad load;  // reported with every heartbeat
  bool registered = false;

  void OnControlClientRegistered(const HelloAck&) override { registered = true; }
  void OnControlClientCommand(const ControlMessage& command, CommandResult& result) override {
    commands.push_back(command.body);
    result.ok = true;
    if (const auto* attach = std::get_if<AttachStream>(&command.body)) {
      rooms[attach->stream_id].parent = attach->parent_node_id;
    } else if (const auto* serve = std::get_if<ServeChild>(&command.body)) {
      rooms[serve->stream_id].children.insert(serve->child_node_id);
    } else if (const auto* detach = std::get_if<DetachStream>(&command.body)) {
      auto& room = rooms[detach->stream_id];
      if (detach->child_node_id.empty()) {
        room.parent.clear();
      } else {
        room.children.erase(detach->child_node_id);
      }
    }
  }
  NodeLoad OnControlClientLoadRequested() override { return load; }
  void OnControlClientRoomsRequested(std::vector<RoomReport>& out) override {
    for (const auto& [name, room] : rooms) {
      if (room.publisher || room.viewers || !room.parent.empty() || !room.children.empty()) {
        out.push_back({name, room.publisher, room.viewers, room.parent});
      }
    }
  }
  std::string ParentIn(const std::string& room) const {
    auto it = rooms.find(room);
    return it == rooms.end() ? "" : it->second.parent;
  }
};

// Heartbeats every 100 ms: a hung node (no heartbeats) is found dead by control after 3 s.
ControlServer::Options FastHeartbeats() {
  ControlServer::Options options;
  options.heartbeat_interval_ms = 100;
  options.missed_heartbeats_before_dead = 30;
  return options;
}

TreeController::Options ShortGrace() {
  TreeController::Options options;
  options.detach_grace_ms = 300;
  options.origin_grace_ms = 300;
  options.tick_ms = 50;
  options.adopt_window_ms = 0;
  options.standby_relays = false;  // its own test below
  return options;
}

// europe-west1 and us-east1 with their measured RTT; asia-east1 far from both.
topology::LatencyMatrix Matrix() {
  topology::LatencyMatrix matrix({"europe-west1", "us-east1", "asia-east1"});
  const double rtt[3][3] = {{0, 90, 250}, {90, 0, 180}, {250, 180, 0}};
  for (topology::RegionId a = 0; a < 3; ++a) {
    for (topology::RegionId b = 0; b < 3; ++b) matrix.SetRttMs(a, b, rtt[a][b]);
  }
  return matrix;
}

struct Cluster {
  net::Loop loop;
  base::MetricsRegistry metrics;
  topology::LatencyMatrix matrix = Matrix();
  ControlServer server;
  TreeCommands commands;
  TreeController controller;
  std::map<std::string, std::unique_ptr<ReportingNode>> nodes;
  std::map<std::string, std::unique_ptr<ControlClient>> clients;
  uint16_t next_port = 20000;

  explicit Cluster(TreeController::Options options = ShortGrace())
      : server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), Certificate(), FastHeartbeats(), metrics),
        commands(server),
        controller(loop, server, commands, &matrix, options, metrics) {
    server.SetNodeObserver(
        [this](const std::string& id, ControlServer::NodeEvent event) { controller.OnNodeEvent(id, event); });
    server.SetParentLostObserver([this](const std::string& child, const std::string& parent) {
      controller.OnParentLost(child, parent);
    });
  }

  ReportingNode& Add(const std::string& id, NodeRole role, const std::string& region) {
    NodeHello hello;
    hello.node_id = id;
    hello.role = role;
    hello.region = region;
    hello.media_addresses = {{"127.0.0.1", next_port++, "udp"}};
    hello.http_url = "http://" + id + ".test";
    hello.certificate_fingerprint = "sha-256 AA:BB";
    auto node = std::make_unique<ReportingNode>();
    auto* raw = node.get();
    nodes[id] = std::move(node);
    clients[id] = std::make_unique<ControlClient>(loop, raw, server.channel_address(),
                                                  Certificate().fingerprint(), hello);
    clients[id]->Start();
    return *raw;
  }
  void Kill(const std::string& id) { clients.erase(id); }  // its connection closes, as on kill -9

  bool AllRegistered() {
    auto all = [&] {
      for (const auto& [id, node] : nodes) {
        if (clients.contains(id) && !node->registered) return false;
      }
      return true;
    };
    RunUntil(loop, all);
    return all();
  }
  // child -> parent, as control holds it once both nodes confirmed.
  std::map<std::string, std::string> Links(const std::string& room) const {
    std::map<std::string, std::string> out;
    for (const auto& link : commands.LinksOf(room)) out[link.child] = link.parent;
    return out;
  }
  bool Settled(const std::string& room) const {
    for (const auto& link : commands.ViewOf(room)) {
      if (link.busy) return false;
    }
    return true;
  }
  // Every node's own view agrees with control's links.
  bool NodesAgree(const std::string& room) const {
    auto links = Links(room);
    for (const auto& [id, node] : nodes) {
      if (!clients.contains(id)) continue;
      auto want = links.find(id);
      if (node->ParentIn(room) != (want == links.end() ? "" : want->second)) return false;
    }
    return true;
  }
};

// Walks up from `node` to the first node without a parent.
std::string RootOf(const std::map<std::string, std::string>& links, std::string node) {
  for (size_t i = 0; i <= links.size(); ++i) {
    auto it = links.find(node);
    if (it == links.end()) return node;
    node = it->second;
  }
  return "cycle";
}

}  // namespace

TEST_CASE("A viewer placed at a far edge makes control extend the room's tree to it, as TreeBuilder would") {
  Cluster cluster;
  auto& origin = cluster.Add("edge-eu", NodeRole::kEdge, "europe-west1");
  cluster.Add("relay-eu", NodeRole::kRelay, "europe-west1");
  cluster.Add("relay-us", NodeRole::kRelay, "us-east1");
  cluster.Add("edge-us", NodeRole::kEdge, "us-east1");
  REQUIRE(cluster.AllRegistered());
  origin.rooms["demo"].publisher = true;
  RunUntil(cluster.loop, [&] { return cluster.controller.OriginOf("demo") == "edge-eu"; });
  REQUIRE(cluster.controller.OriginOf("demo") == "edge-eu");
  CHECK(cluster.Links("demo").empty());  // nobody watches yet

  // The entry sends a viewer to edge-us; the tree grows before any viewer is reported there.
  cluster.controller.OnPlaced("demo", "edge-us", false);
  RunUntil(cluster.loop,
           [&] { return cluster.Links("demo").contains("edge-us") && cluster.Settled("demo"); });
  auto links = cluster.Links("demo");
  INFO("links: " << links.size());
  REQUIRE(links.contains("edge-us"));
  CHECK(links["edge-us"] == "relay-us");  // the region's ingress is its relay
  CHECK(RootOf(links, "edge-us") == "edge-eu");
  CHECK(cluster.NodesAgree("demo"));

  // The same input through topology directly gives the same links.
  topology::Topology topo(&cluster.matrix);
  const auto edge_eu = topo.AddNode(0, topology::NodeRole::kEdge, ShortGrace().origin_fanout);
  const auto relay_eu = topo.AddNode(0, topology::NodeRole::kRelay, ShortGrace().relay_fanout);
  const auto relay_us = topo.AddNode(1, topology::NodeRole::kRelay, ShortGrace().relay_fanout);
  const auto edge_us = topo.AddNode(1, topology::NodeRole::kEdge, ShortGrace().origin_fanout);
  const char* names[] = {"edge-eu", "relay-eu", "relay-us", "edge-us"};
  topology::StreamTree expected(&topo, edge_eu);
  REQUIRE(topology::TreeBuilder(&topo).AttachEdge(expected, edge_us, 1).ok());
  std::map<std::string, std::string> expected_links;
  for (auto member : expected.Members()) {
    if (member != edge_eu) expected_links[names[member]] = names[expected.Parent(member)];
  }
  (void)relay_eu;
  (void)relay_us;
  CHECK(links == expected_links);
}

TEST_CASE("Control re-parents the children of a relay that dies, and detaches an edge whose viewers left") {
  Cluster cluster;
  auto& origin = cluster.Add("edge-eu", NodeRole::kEdge, "europe-west1");
  cluster.Add("relay-eu", NodeRole::kRelay, "europe-west1");
  cluster.Add("relay-us-1", NodeRole::kRelay, "us-east1");
  cluster.Add("relay-us-2", NodeRole::kRelay, "us-east1");
  auto& edge_us = cluster.Add("edge-us", NodeRole::kEdge, "us-east1");
  REQUIRE(cluster.AllRegistered());
  origin.rooms["demo"].publisher = true;
  edge_us.rooms["demo"].viewers = 3;  // reported, never placed through the entry
  RunUntil(cluster.loop,
           [&] { return cluster.Links("demo").contains("edge-us") && cluster.Settled("demo"); });
  auto before = cluster.Links("demo");
  REQUIRE(before.contains("edge-us"));
  const std::string dead = before["edge-us"];
  REQUIRE(dead.starts_with("relay-us"));

  const uint64_t killed_us = cluster.loop.clock().NowUs();
  cluster.Kill(dead);
  RunUntil(cluster.loop, [&] {
    auto links = cluster.Links("demo");
    return links.contains("edge-us") && links["edge-us"] != dead && cluster.Settled("demo") &&
           edge_us.ParentIn("demo") == links["edge-us"];
  });
  auto after = cluster.Links("demo");
  const uint64_t repaired_ms = (cluster.loop.clock().NowUs() - killed_us) / 1000;
  MESSAGE("re-parented " << repaired_ms << " ms after the relay's connection closed");
  REQUIRE(after.contains("edge-us"));
  CHECK(after["edge-us"] != dead);
  CHECK(RootOf(after, "edge-us") == "edge-eu");
  CHECK_FALSE(after.contains(dead));
  CHECK(edge_us.ParentIn("demo") == after["edge-us"]);
  CHECK(cluster.controller.counters().repairs >= 1);
  CHECK(repaired_ms < 1000);

  // The viewers leave: after the grace period the branch goes, relays included.
  edge_us.rooms["demo"].viewers = 0;
  RunUntil(
      cluster.loop, [&] { return cluster.Links("demo").empty() && cluster.Settled("demo"); }, 5000);
  CHECK(cluster.Links("demo").empty());
  CHECK(edge_us.ParentIn("demo").empty());
  CHECK(cluster.controller.counters().links_removed >= 2);
}

TEST_CASE("Control leaves a room an operator linked alone, and adopts links nodes report after a restart") {
  auto options = ShortGrace();
  options.adopt_window_ms = 3000;
  Cluster cluster(options);
  auto& origin = cluster.Add("edge-eu", NodeRole::kEdge, "europe-west1");
  auto& relay = cluster.Add("relay-us", NodeRole::kRelay, "us-east1");
  auto& edge_us = cluster.Add("edge-us", NodeRole::kEdge, "us-east1");
  REQUIRE(cluster.AllRegistered());

  // Operator-owned: an operator linked edge-us straight under the origin (an edge parent is
  // not what TreeBuilder would do), and control does not touch it.
  bool linked = false;
  cluster.commands.AddLink("manual", "edge-eu", "edge-us",
                           [&](TreeCommands::Outcome o) { linked = o.status == 200; });
  RunUntil(cluster.loop, [&] { return linked; });
  REQUIRE(linked);
  origin.rooms["manual"].publisher = true;
  edge_us.rooms["manual"].viewers = 1;
  const uint64_t passes = cluster.controller.counters().passes;
  RunUntil(
      cluster.loop, [] { return false; }, 300);
  CHECK(cluster.Links("manual") == std::map<std::string, std::string>{{"edge-us", "edge-eu"}});
  CHECK(cluster.controller.counters().passes == passes);  // never looked at

  // A control that starts with no state adopts what the nodes report instead of relinking.
  origin.rooms["demo"].publisher = true;
  relay.rooms["demo"].parent = "edge-eu";
  edge_us.rooms["demo"].parent = "relay-us";
  edge_us.rooms["demo"].viewers = 2;
  const size_t commands_before = edge_us.commands.size() + relay.commands.size();
  RunUntil(cluster.loop, [&] { return cluster.Links("demo").size() == 2; });
  CHECK(cluster.Links("demo") ==
        std::map<std::string, std::string>{{"edge-us", "relay-us"}, {"relay-us", "edge-eu"}});
  RunUntil(
      cluster.loop, [] { return false; }, 300);
  CHECK(edge_us.commands.size() + relay.commands.size() == commands_before);  // nothing resent
}

namespace {

// A node that registers over a raw connection, sends the heartbeats it is told to, and never
// answers anything: a process that hangs with its TCP connection to control still open.
struct HungNode : ControlConnection::Listener {
  std::unique_ptr<tls::TlsContext> context = tls::TlsContext::Client();
  std::unique_ptr<ControlConnection> connection;
  bool acked = false;

  void Connect(net::Loop& loop, const net::SocketAddress& control, NodeHello hello) {
    net::TcpConnection::Connect(loop, control, [this, hello](std::unique_ptr<net::TcpConnection> tcp, int) {
      REQUIRE(tcp);
      connection = std::make_unique<ControlConnection>(*context, std::move(tcp), Certificate().fingerprint(),
                                                       this, nullptr);
      connection->Send({0, hello});
    });
  }
  void OnControlConnectionMessage(ControlConnection*, ControlMessage& message) override {
    if (std::holds_alternative<HelloAck>(message.body)) acked = true;
  }
  void OnControlConnectionClosed(ControlConnection*, const std::string&) override {}
};

}  // namespace

TEST_CASE(
    "A parent its child reports silent is probed: unresponsive, its children move; responsive, they stay") {
  auto options = ShortGrace();
  options.adopt_window_ms = 5000;  // the hung relay's link is adopted from reports
  Cluster cluster(options);
  auto& origin = cluster.Add("edge-eu", NodeRole::kEdge, "europe-west1");
  cluster.Add("relay-us-2", NodeRole::kRelay, "us-east1");
  auto& edge_us = cluster.Add("edge-us", NodeRole::kEdge, "us-east1");
  REQUIRE(cluster.AllRegistered());
  HungNode hung;
  NodeHello hello;
  hello.node_id = "relay-us-1";
  hello.role = NodeRole::kRelay;
  hello.region = "us-east1";
  hello.media_addresses = {{"127.0.0.1", 21000, "udp"}};
  hello.certificate_fingerprint = "sha-256 AA:BB";
  hung.Connect(cluster.loop, cluster.server.channel_address(), hello);
  RunUntil(cluster.loop, [&] { return hung.acked; });
  REQUIRE(hung.acked);
  hung.connection->Send({0, Heartbeat{1, {}, {{"demo", false, 0, "edge-eu"}}}});
  origin.rooms["demo"].publisher = true;
  edge_us.rooms["demo"] = {false, 2, "relay-us-1", {}};
  RunUntil(cluster.loop, [&] { return cluster.Links("demo").size() == 2; });
  REQUIRE(cluster.Links("demo")["edge-us"] == "relay-us-1");

  // A responsive parent reported silent (starved from upstream) keeps its children.
  cluster.clients["edge-us"]->Report(ParentLost{"relay-us-2", 400});
  RunUntil(cluster.loop, [&] { return cluster.controller.counters().parents_lost_unconfirmed == 1; });
  CHECK(cluster.controller.counters().parents_lost_unconfirmed == 1);
  CHECK(cluster.Links("demo")["edge-us"] == "relay-us-1");

  const uint64_t reported_us = cluster.loop.clock().NowUs();
  cluster.clients["edge-us"]->Report(ParentLost{"relay-us-1", 400});
  RunUntil(cluster.loop, [&] {
    auto links = cluster.Links("demo");
    return links["edge-us"] == "relay-us-2" && cluster.Settled("demo") &&
           edge_us.ParentIn("demo") == "relay-us-2";
  });
  const uint64_t moved_ms = (cluster.loop.clock().NowUs() - reported_us) / 1000;
  MESSAGE("moved " << moved_ms << " ms after the child's report");
  CHECK(cluster.controller.counters().parents_lost_confirmed == 1);
  CHECK(cluster.Links("demo")["edge-us"] == "relay-us-2");
  CHECK(edge_us.ParentIn("demo") == "relay-us-2");
  CHECK(moved_ms < 1000);
  CHECK(cluster.server.registry().nodes().at("relay-us-1").alive);  // control had not noticed itself
}

TEST_CASE("A relay that reports itself full is drained: its children move to another relay") {
  Cluster cluster;
  auto& origin = cluster.Add("edge-eu", NodeRole::kEdge, "europe-west1");
  auto& relay_1 = cluster.Add("relay-us-1", NodeRole::kRelay, "us-east1");
  cluster.Add("relay-us-2", NodeRole::kRelay, "us-east1");
  auto& edge_us = cluster.Add("edge-us", NodeRole::kEdge, "us-east1");
  REQUIRE(cluster.AllRegistered());
  origin.rooms["demo"].publisher = true;
  edge_us.rooms["demo"].viewers = 5;
  RunUntil(cluster.loop,
           [&] { return cluster.Links("demo").contains("edge-us") && cluster.Settled("demo"); });
  const std::string first = cluster.Links("demo")["edge-us"];
  REQUIRE(first.starts_with("relay-us-"));
  ReportingNode& busy = first == "relay-us-1" ? relay_1 : *cluster.nodes["relay-us-2"];
  const std::string other = first == "relay-us-1" ? "relay-us-2" : "relay-us-1";

  busy.load.cpu_percent = 99;  // one core, past the second CPU threshold (95 %)
  RunUntil(cluster.loop, [&] {
    return cluster.Links("demo")["edge-us"] == other && cluster.Settled("demo") &&
           edge_us.ParentIn("demo") == other;
  });
  CHECK(cluster.Links("demo")["edge-us"] == other);
  CHECK(edge_us.ParentIn("demo") == other);
  CHECK(cluster.controller.counters().links_moved >= 1);
}

TEST_CASE(
    "A follower replica sends no tree command, keeps the links nodes report, and grows the tree once it "
    "leads") {
  Cluster cluster;
  cluster.controller.SetLeader(false);
  auto& origin = cluster.Add("edge-eu", NodeRole::kEdge, "europe-west1");
  auto& relay = cluster.Add("relay-us", NodeRole::kRelay, "us-east1");
  auto& edge = cluster.Add("edge-us", NodeRole::kEdge, "us-east1");
  auto& far = cluster.Add("edge-asia", NodeRole::kEdge, "asia-east1");
  REQUIRE(cluster.AllRegistered());
  // The nodes run a tree the leading replica made.
  origin.rooms["demo"].publisher = true;
  origin.rooms["demo"].children = {"relay-us"};
  relay.rooms["demo"].parent = "edge-eu";
  relay.rooms["demo"].children = {"edge-us"};
  edge.rooms["demo"].parent = "relay-us";
  edge.rooms["demo"].viewers = 2;
  const std::map<std::string, std::string> running = {{"relay-us", "edge-eu"}, {"edge-us", "relay-us"}};
  RunUntil(cluster.loop, [&] { return cluster.Links("demo") == running; });
  CHECK(cluster.Links("demo") == running);

  // The leader moves edge-us under edge-eu: the follower follows the report.
  edge.rooms["demo"].parent = "edge-eu";
  RunUntil(cluster.loop, [&] { return cluster.Links("demo")["edge-us"] == "edge-eu"; });
  CHECK(cluster.Links("demo")["edge-us"] == "edge-eu");
  edge.rooms["demo"].parent = "relay-us";
  RunUntil(cluster.loop, [&] { return cluster.Links("demo") == running; });

  // A viewer at a far edge (it joined through this replica): a follower does not act on it.
  cluster.controller.OnPlaced("demo", "edge-asia", false);
  far.rooms["demo"].viewers = 1;
  RunUntil(
      cluster.loop, [] { return false; }, 300);
  for (const auto& [id, node] : cluster.nodes) {
    INFO(id);
    CHECK(node->commands.empty());
  }
  CHECK_FALSE(cluster.Links("demo").contains("edge-asia"));

  // Leading now: the tree grows from the running links, which are not sent again.
  cluster.controller.SetLeader(true);
  RunUntil(cluster.loop,
           [&] { return cluster.Links("demo").contains("edge-asia") && cluster.Settled("demo"); });
  auto links = cluster.Links("demo");
  CHECK(links.contains("edge-asia"));
  CHECK(links["edge-us"] == "relay-us");
  CHECK(links["relay-us"] == "edge-eu");
  CHECK(far.ParentIn("demo") == links["edge-asia"]);
  CHECK(edge.commands.empty());
}

TEST_CASE(
    "A standby relay pulls the stream beside a region's ingress and takes the region's edges when it dies") {
  auto options = ShortGrace();
  options.standby_relays = true;
  Cluster cluster(options);
  auto& origin = cluster.Add("edge-eu", NodeRole::kEdge, "europe-west1");
  cluster.Add("relay-us-1", NodeRole::kRelay, "us-east1");
  cluster.Add("relay-us-2", NodeRole::kRelay, "us-east1");
  auto& edge_us = cluster.Add("edge-us", NodeRole::kEdge, "us-east1");
  REQUIRE(cluster.AllRegistered());
  origin.rooms["demo"].publisher = true;
  edge_us.rooms["demo"].viewers = 2;
  RunUntil(cluster.loop, [&] { return cluster.Links("demo").size() == 3 && cluster.Settled("demo"); });
  auto links = cluster.Links("demo");
  REQUIRE(links.size() == 3);
  const std::string ingress = links["edge-us"];
  const std::string standby = ingress == "relay-us-1" ? "relay-us-2" : "relay-us-1";
  CHECK(links[ingress] == "edge-eu");
  CHECK(links[standby] == "edge-eu");  // childless, carrying the stream
  CHECK(cluster.nodes[standby]->ParentIn("demo") == "edge-eu");
  // Stable: further passes change nothing.
  const uint64_t changes = cluster.controller.counters().links_added +
                           cluster.controller.counters().links_moved +
                           cluster.controller.counters().links_removed;
  RunUntil(
      cluster.loop, [] { return false; }, 300);
  CHECK(cluster.controller.counters().links_added + cluster.controller.counters().links_moved +
            cluster.controller.counters().links_removed ==
        changes);

  const size_t standby_commands = cluster.nodes[standby]->commands.size();
  cluster.Kill(ingress);
  RunUntil(cluster.loop, [&] {
    return cluster.Links("demo")["edge-us"] == standby && cluster.Settled("demo") &&
           edge_us.ParentIn("demo") == standby;
  });
  CHECK(cluster.Links("demo")["edge-us"] == standby);
  CHECK(cluster.Links("demo")[standby] == "edge-eu");
  // The standby only gained a child: its own uplink was already there.
  CHECK(cluster.nodes[standby]->commands.size() == standby_commands + 1);
  CHECK(std::holds_alternative<ServeChild>(cluster.nodes[standby]->commands.back()));
}
