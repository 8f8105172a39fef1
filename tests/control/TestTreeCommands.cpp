#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "control/client/ControlClient.hpp"
#include "control/server/ClientEntry.hpp"
#include "control/server/ControlServer.hpp"
#include "control/server/TreeCommands.hpp"
#include "core/base/Clock.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/net/HttpServer.hpp"
#include "tests/RunLoop.hpp"
#include "tests/control/JsonRequest.hpp"
#include "tests/control/TestNodes.hpp"
#include "tests/core/net/BlockingClient.hpp"

using namespace cascade;
using namespace cascade::control;
using cascade::test::ControlCertificate;
using cascade::test::MakeHello;

using cascade::test::RunUntil;

namespace {

// A media node that records every command it receives (and in which order across nodes)
// and answers ok, or `error` when set.
struct RecordingNode : ControlClient::Listener {
  std::string id;
  std::vector<std::string>* order = nullptr;
  std::vector<ControlBody> commands;
  std::string error;
  bool registered = false;

  void OnControlClientRegistered(const HelloAck&) override { registered = true; }
  void OnControlClientCommand(const ControlMessage& command, CommandResult& result) override {
    commands.push_back(command.body);
    static const char* kNames[] = {"NodeHello",    "HelloAck",   "Heartbeat",    "AttachStream",
                                   "DetachStream", "ServeChild", "CommandResult"};
    order->push_back(id + ":" + kNames[command.body.index()]);
    if (!error.empty()) result = {false, error};
  }
  NodeLoad OnControlClientLoadRequested() override { return {}; }

  template <typename T>
  std::vector<T> All() const {
    std::vector<T> out;
    for (const auto& body : commands) {
      if (const auto* c = std::get_if<T>(&body)) out.push_back(*c);
    }
    return out;
  }
};

// A node that registers over a raw ControlConnection and never answers commands.
struct SilentNode : ControlConnection::Listener {
  std::unique_ptr<tls::TlsContext> context = tls::TlsContext::Client();
  std::unique_ptr<ControlConnection> connection;
  std::vector<ControlMessage> received;
  bool closed = false;

  void Connect(net::Loop& loop, const net::SocketAddress& control, NodeHello hello) {
    net::TcpConnection::Connect(loop, control, [this, hello](std::unique_ptr<net::TcpConnection> tcp, int) {
      REQUIRE(tcp);
      connection = std::make_unique<ControlConnection>(*context, std::move(tcp),
                                                       ControlCertificate().fingerprint(), this, nullptr);
      connection->Send({0, hello});
    });
  }
  void OnControlConnectionMessage(ControlConnection*, ControlMessage& message) override {
    received.push_back(message);
  }
  void OnControlConnectionClosed(ControlConnection*, const std::string&) override { closed = true; }
};

NodeHello MakeHello(const std::string& id, NodeRole role, uint16_t udp_port, const std::string& fingerprint) {
  NodeHello hello;
  hello.node_id = id;
  hello.role = role;
  hello.region = "local";
  // A TCP address first: the link must use the first UDP one.
  hello.media_addresses = {{"127.0.0.1", static_cast<uint16_t>(udp_port + 1000), "tcp"},
                           {"127.0.0.1", udp_port, "udp"}};
  hello.http_url = "http://" + id + ".test:8000";
  hello.certificate_fingerprint = fingerprint;
  return hello;
}

ControlServer::Options WithTimeout(uint32_t command_timeout_ms) {
  ControlServer::Options options;
  options.command_timeout_ms = command_timeout_ms;
  return options;
}

using Reply = cascade::test::JsonReply;

// A control server with the tree API on a real HTTP server, and real nodes on loopback.
struct Mesh {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server;
  net::HttpServer http;
  TreeCommands tree;
  std::vector<std::string> order;
  std::map<std::string, std::unique_ptr<RecordingNode>> nodes;
  std::vector<std::unique_ptr<ControlClient>> clients;

  explicit Mesh(uint32_t command_timeout_ms = 5000)
      : server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(),
               WithTimeout(command_timeout_ms), metrics),
        http(loop, *net::SocketAddress::Parse("127.0.0.1", 0)),
        tree(server) {
    tree.AddRoutes(http.router());
  }

  RecordingNode& Add(NodeHello hello, std::string error = "") {
    auto node = std::make_unique<RecordingNode>();
    node->id = hello.node_id;
    node->order = &order;
    node->error = std::move(error);
    auto* raw = node.get();
    nodes[hello.node_id] = std::move(node);
    clients.push_back(std::make_unique<ControlClient>(loop, raw, server.channel_address(),
                                                      ControlCertificate().fingerprint(), std::move(hello)));
    clients.back()->Start();
    return *raw;
  }

  bool AllRegistered() {
    RunUntil(loop, [&] {
      return std::all_of(nodes.begin(), nodes.end(), [](const auto& n) { return n.second->registered; });
    });
    return std::all_of(nodes.begin(), nodes.end(), [](const auto& n) { return n.second->registered; });
  }

  // One HTTP request from a client thread while the loop runs.
  // `headers`: extra header lines, each ending in \r\n.
  Reply Request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& headers = "") {
    return cascade::test::JsonRequest(loop, http.local_address().port(), method, target, body, headers);
  }

  Reply Link(const std::string& stream, const std::string& parent, const std::string& child) {
    return Request("POST", "/api/tree/links",
                   nlohmann::json{{"stream", stream}, {"parent", parent}, {"child", child}}.dump());
  }
};

bool Alphanumeric(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

}  // namespace

TEST_CASE(
    "Linking sends ServeChild to the parent, then AttachStream with the same credentials to the child") {
  Mesh mesh;
  auto& relay = mesh.Add(MakeHello("relay-1", NodeRole::kRelay, 10030, "sha-256 11:11"));
  auto& edge = mesh.Add(MakeHello("edge-2", NodeRole::kEdge, 10001, "sha-256 22:22"));
  REQUIRE(mesh.AllRegistered());

  auto reply = mesh.Link("demo", "relay-1", "edge-2");
  INFO(reply.raw);
  CHECK(reply.status == 200);
  CHECK(reply.json == nlohmann::json{{"ok", true}});

  auto serves = relay.All<ServeChild>();
  auto attaches = edge.All<AttachStream>();
  REQUIRE(serves.size() == 1);
  REQUIRE(attaches.size() == 1);
  CHECK(relay.commands.size() == 1);
  CHECK(edge.commands.size() == 1);
  CHECK(mesh.order == std::vector<std::string>{"relay-1:ServeChild", "edge-2:AttachStream"});

  const ServeChild& serve = serves[0];
  CHECK(serve.stream_id == "demo");
  CHECK(serve.child_node_id == "edge-2");
  REQUIRE(serve.child_address);
  CHECK(serve.child_address->ip == "127.0.0.1");
  CHECK(serve.child_address->port == 10001);
  CHECK(serve.child_address->transport == "udp");
  CHECK(serve.child_fingerprint == "sha-256 22:22");

  const AttachStream& attach = attaches[0];
  CHECK(attach.stream_id == "demo");
  CHECK(attach.parent_node_id == "relay-1");
  REQUIRE(attach.parent_address);
  CHECK(attach.parent_address->port == 10030);
  CHECK(attach.parent_address->transport == "udp");
  CHECK(attach.parent_fingerprint == "sha-256 11:11");

  CHECK(attach.link == serve.link);
  CHECK(serve.link.parent_ufrag.size() >= 8);
  CHECK(serve.link.child_ufrag.size() >= 8);
  CHECK(serve.link.password.size() >= 24);
  CHECK(Alphanumeric(serve.link.parent_ufrag));
  CHECK(Alphanumeric(serve.link.child_ufrag));
  CHECK(Alphanumeric(serve.link.password));
  CHECK(serve.link.parent_ufrag != serve.link.child_ufrag);
  CHECK(mesh.tree.CredentialsOf("relay-1", "edge-2") == serve.link);

  // A second stream on the same pair reuses the link.
  auto second = mesh.Link("talk", "relay-1", "edge-2");
  CHECK(second.status == 200);
  REQUIRE(relay.All<ServeChild>().size() == 2);
  REQUIRE(edge.All<AttachStream>().size() == 2);
  CHECK(relay.All<ServeChild>()[1].stream_id == "talk");
  CHECK(relay.All<ServeChild>()[1].link == serve.link);
  CHECK(edge.All<AttachStream>()[1].link == serve.link);

  auto tree = mesh.Request("GET", "/api/tree");
  CHECK(tree.status == 200);
  CHECK(tree.json == nlohmann::json::parse(R"({"streams":{
      "demo":[{"parent":"relay-1","child":"edge-2"}],
      "talk":[{"parent":"relay-1","child":"edge-2"}]}})"));
  CHECK(mesh.tree.RootOf("demo") == "relay-1");
  CHECK(mesh.tree.NodesOf("demo") == std::vector<std::string>{"edge-2", "relay-1"});
  CHECK_FALSE(mesh.tree.RootOf("nothing"));
  CHECK(mesh.tree.NodesOf("nothing").empty());

  // Unlinking detaches the child, then stops the parent serving it.
  mesh.order.clear();
  auto removed = mesh.Request("DELETE", "/api/tree/links?stream=demo&child=edge-2");
  INFO(removed.raw);
  CHECK(removed.status == 200);
  CHECK(removed.json == nlohmann::json{{"ok", true}});
  CHECK(mesh.order == std::vector<std::string>{"edge-2:DetachStream", "relay-1:DetachStream"});
  REQUIRE(edge.All<DetachStream>().size() == 1);
  CHECK(edge.All<DetachStream>()[0].stream_id == "demo");
  CHECK(edge.All<DetachStream>()[0].child_node_id.empty());
  REQUIRE(relay.All<DetachStream>().size() == 1);
  CHECK(relay.All<DetachStream>()[0].stream_id == "demo");
  CHECK(relay.All<DetachStream>()[0].child_node_id == "edge-2");
  CHECK(mesh.Request("GET", "/api/tree").json ==
        nlohmann::json::parse(R"({"streams":{"talk":[{"parent":"relay-1","child":"edge-2"}]}})"));
  CHECK(mesh.tree.NodesOf("demo").empty());
  CHECK(mesh.tree.CredentialsOf("relay-1", "edge-2") == serve.link);  // "talk" still uses the pair

  auto again = mesh.Request("DELETE", "/api/tree/links?stream=demo&child=edge-2");
  CHECK(again.status == 404);
  CHECK(again.json["ok"] == false);

  // The pair's last stream gone, its credentials go too; a new link gets new ones.
  CHECK(mesh.Request("DELETE", "/api/tree/links?stream=talk&child=edge-2").status == 200);
  CHECK_FALSE(mesh.tree.CredentialsOf("relay-1", "edge-2"));
  CHECK(mesh.Request("GET", "/api/tree").json == nlohmann::json::parse(R"({"streams":{}})"));
  CHECK(mesh.Link("demo", "relay-1", "edge-2").status == 200);
  REQUIRE(relay.All<ServeChild>().size() == 3);
  CHECK(relay.All<ServeChild>()[2].link != serve.link);
}

TEST_CASE("Bad link requests are refused before any command is sent") {
  Mesh mesh;
  auto& relay = mesh.Add(MakeHello("relay-1", NodeRole::kRelay, 10030, "sha-256 11:11"));
  auto& edge = mesh.Add(MakeHello("edge-2", NodeRole::kEdge, 10001, "sha-256 22:22"));
  auto& other = mesh.Add(MakeHello("edge-3", NodeRole::kEdge, 10002, "sha-256 33:33"));
  auto& bare = mesh.Add(MakeHello("edge-nofp", NodeRole::kEdge, 10003, ""));
  REQUIRE(mesh.AllRegistered());

  auto unknown = mesh.Link("demo", "relay-1", "ghost");
  CHECK(unknown.status == 404);
  CHECK(unknown.json["ok"] == false);
  CHECK(unknown.json["error"].get<std::string>().find("ghost") != std::string::npos);
  auto unknown_parent = mesh.Link("demo", "nobody", "edge-2");
  CHECK(unknown_parent.status == 404);
  CHECK(unknown_parent.json["error"].get<std::string>().find("nobody") != std::string::npos);

  auto missing = mesh.Request("POST", "/api/tree/links", R"({"stream":"demo","parent":"relay-1"})");
  CHECK(missing.status == 400);
  CHECK(missing.json["error"].get<std::string>().find("'child'") != std::string::npos);
  auto not_string = mesh.Request("POST", "/api/tree/links", R"({"stream":7,"parent":"relay-1","child":"x"})");
  CHECK(not_string.status == 400);
  CHECK(not_string.json["error"].get<std::string>().find("'stream'") != std::string::npos);
  CHECK(mesh.Request("POST", "/api/tree/links", "{not json").status == 400);
  auto no_child = mesh.Request("DELETE", "/api/tree/links?stream=demo");
  CHECK(no_child.status == 400);
  CHECK(no_child.json["error"].get<std::string>().find("'child'") != std::string::npos);

  CHECK(mesh.Link("demo", "edge-2", "edge-2").status == 409);
  auto no_fingerprint = mesh.Link("demo", "relay-1", "edge-nofp");
  CHECK(no_fingerprint.status == 409);
  CHECK(no_fingerprint.json["error"].get<std::string>().find("edge-nofp") != std::string::npos);

  CHECK(relay.commands.empty());
  CHECK(edge.commands.empty());
  CHECK(bare.commands.empty());

  // A child has one parent per stream, and links make no cycles.
  REQUIRE(mesh.Link("demo", "relay-1", "edge-2").status == 200);
  auto second_parent = mesh.Link("demo", "edge-3", "edge-2");
  CHECK(second_parent.status == 409);
  CHECK(second_parent.json["error"].get<std::string>().find("relay-1") != std::string::npos);
  REQUIRE(mesh.Link("demo", "edge-2", "edge-3").status == 200);
  auto cycle = mesh.Link("demo", "edge-3", "relay-1");
  CHECK(cycle.status == 409);
  CHECK(cycle.json["error"].get<std::string>().find("cycle") != std::string::npos);
  CHECK(mesh.tree.RootOf("demo") == "relay-1");
  CHECK(mesh.tree.NodesOf("demo") == std::vector<std::string>{"edge-2", "edge-3", "relay-1"});
  // In another stream the same child may have another parent.
  CHECK(mesh.Link("other", "edge-3", "edge-2").status == 200);
  CHECK(mesh.tree.RootOf("other") == "edge-3");
  CHECK(other.All<ServeChild>().size() == 1);    // only for "other"
  CHECK(other.All<AttachStream>().size() == 1);  // only for "demo"
}

TEST_CASE("A node answering an error gives 502 with its message, and the link is not kept") {
  Mesh mesh;
  auto& relay = mesh.Add(MakeHello("relay-1", NodeRole::kRelay, 10030, "sha-256 11:11"));
  auto& edge = mesh.Add(MakeHello("edge-2", NodeRole::kEdge, 10001, "sha-256 22:22"));
  auto& full = mesh.Add(MakeHello("edge-full", NodeRole::kEdge, 10002, "sha-256 33:33"), "no capacity left");
  REQUIRE(mesh.AllRegistered());

  // The child refuses: 502, and the parent is told to stop serving it.
  auto child_fails = mesh.Link("demo", "relay-1", "edge-full");
  INFO(child_fails.raw);
  CHECK(child_fails.status == 502);
  CHECK(child_fails.json == nlohmann::json{{"ok", false}, {"error", "edge-full: no capacity left"}});
  REQUIRE(full.All<AttachStream>().size() == 1);
  RunUntil(mesh.loop, [&] { return !relay.All<DetachStream>().empty(); });
  REQUIRE(relay.All<DetachStream>().size() == 1);
  CHECK(relay.All<DetachStream>()[0].stream_id == "demo");
  CHECK(relay.All<DetachStream>()[0].child_node_id == "edge-full");
  CHECK(mesh.Request("GET", "/api/tree").json == nlohmann::json::parse(R"({"streams":{}})"));
  CHECK_FALSE(mesh.tree.CredentialsOf("relay-1", "edge-full"));

  // The parent refuses: 502, and the child hears nothing.
  auto parent_fails = mesh.Link("demo", "edge-full", "edge-2");
  CHECK(parent_fails.status == 502);
  CHECK(parent_fails.json["error"] == "edge-full: no capacity left");
  CHECK(edge.commands.empty());
  CHECK(mesh.tree.NodesOf("demo").empty());

  // The failed link did not stick: the child can take another parent.
  CHECK(mesh.Link("demo", "relay-1", "edge-2").status == 200);
  // Unlinking from a parent that refuses still forgets the link, and says why.
  REQUIRE(mesh.Link("demo", "edge-2", "edge-full").status == 502);
  full.error.clear();
  REQUIRE(mesh.Link("demo", "edge-2", "edge-full").status == 200);
  edge.error = "busy";
  auto unlink = mesh.Request("DELETE", "/api/tree/links?stream=demo&child=edge-full");
  CHECK(unlink.status == 502);
  CHECK(unlink.json["error"] == "edge-2: busy");
  CHECK(full.All<DetachStream>().size() == 1);
  CHECK(mesh.tree.NodesOf("demo") == std::vector<std::string>{"edge-2", "relay-1"});
}

TEST_CASE("SendCommand reports a node that is not connected, from the loop") {
  Mesh mesh;
  std::optional<CommandResult> result;
  mesh.server.SendCommand("ghost", DetachStream{"demo", ""}, [&](CommandResult r) { result = r; });
  CHECK_FALSE(result);  // never from inside SendCommand
  RunUntil(mesh.loop, [&] { return result.has_value(); });
  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "node not connected");
  CHECK(mesh.server.pending_commands() == 0);
}

TEST_CASE("A node that never answers times out: SendCommand says timeout, the API answers 504") {
  Mesh mesh(100);
  mesh.Add(MakeHello("relay-1", NodeRole::kRelay, 10030, "sha-256 11:11"));
  REQUIRE(mesh.AllRegistered());
  SilentNode silent;
  silent.Connect(mesh.loop, mesh.server.channel_address(),
                 MakeHello("silent", NodeRole::kEdge, 10009, "sha-256 99:99"));
  RunUntil(mesh.loop, [&] { return !silent.received.empty(); });
  REQUIRE(mesh.server.registry().nodes().count("silent") == 1);

  int calls = 0;
  CommandResult result;
  mesh.server.SendCommand("silent", DetachStream{"demo", ""}, [&](CommandResult r) {
    ++calls;
    result = r;
  });
  RunUntil(mesh.loop, [&] { return calls > 0; });
  CHECK(calls == 1);
  CHECK_FALSE(result.ok);
  CHECK(result.error == "timeout");
  REQUIRE(silent.received.size() == 2);  // the HelloAck, then the command
  CHECK(std::holds_alternative<DetachStream>(silent.received[1].body));
  CHECK(silent.received[1].id != 0);

  auto reply = mesh.Link("demo", "relay-1", "silent");
  CHECK(reply.status == 504);
  CHECK(reply.json["error"] == "silent: timeout");
  CHECK(mesh.tree.NodesOf("demo").empty());
  RunUntil(
      mesh.loop, [] { return false; }, 150);
  CHECK(calls == 1);  // exactly once, even after more time passes
}

TEST_CASE("Commands pending on a connection that closes fail with node disconnected") {
  Mesh mesh;
  SilentNode silent;
  silent.Connect(mesh.loop, mesh.server.channel_address(),
                 MakeHello("silent", NodeRole::kEdge, 10009, "sha-256 99:99"));
  RunUntil(mesh.loop, [&] { return !silent.received.empty(); });
  REQUIRE(mesh.server.registry().nodes().count("silent") == 1);

  std::vector<CommandResult> results;
  for (int i = 0; i < 2; ++i) {
    mesh.server.SendCommand("silent", DetachStream{"s" + std::to_string(i), ""},
                            [&](CommandResult r) { results.push_back(r); });
  }
  RunUntil(mesh.loop, [&] { return silent.received.size() == 3; });
  REQUIRE(silent.received.size() == 3);
  CHECK(silent.received[1].id != silent.received[2].id);
  CHECK(mesh.server.pending_commands() == 2);
  silent.connection->Close("going away");
  RunUntil(mesh.loop, [&] { return results.size() == 2; });
  REQUIRE(results.size() == 2);
  for (const auto& r : results) {
    CHECK_FALSE(r.ok);
    CHECK(r.error == "node disconnected");
  }
  CHECK(mesh.server.pending_commands() == 0);
  CHECK_FALSE(mesh.server.registry().nodes().at("silent").alive);
}

TEST_CASE("Client entry follows a room's tree: WHIP to an edge root, WHEP to the tree's edges only") {
  Mesh mesh;
  mesh.Add(MakeHello("edge-root", NodeRole::kEdge, 10001, "sha-256 01"));
  mesh.Add(MakeHello("relay-1", NodeRole::kRelay, 10030, "sha-256 02"));
  mesh.Add(MakeHello("edge-leaf", NodeRole::kEdge, 10002, "sha-256 03"));
  mesh.Add(MakeHello("edge-outside", NodeRole::kEdge, 10003, "sha-256 04"));
  REQUIRE(mesh.AllRegistered());
  EntrySettings settings;
  settings.policy = topology::DcPolicy::kRoundRobin;
  ClientEntry entry(mesh.server.registry(), settings, &mesh.tree);
  entry.AddRoutes(mesh.http.router());

  REQUIRE(mesh.Link("town", "edge-root", "relay-1").status == 200);
  REQUIRE(mesh.Link("town", "relay-1", "edge-leaf").status == 200);
  for (int i = 0; i < 6; ++i) CHECK(entry.EntryFor("town", true) == "edge-root");
  std::set<std::string> viewers;
  for (int i = 0; i < 12; ++i) {
    auto edge = entry.EntryFor("town", false);
    REQUIRE(edge);
    viewers.insert(*edge);
  }
  // Round robin over the tree's edges: both, and never the relay or an edge outside.
  CHECK(viewers == std::set<std::string>{"edge-leaf", "edge-root"});

  const std::string token =
      auth::TokenAuthority(auth::kLocalDevelopmentSecret)
          .Issue({"town", auth::TokenRole::kPublish, base::WallClockUs() / 1'000'000 + 600, "t"});
  auto redirect = mesh.Request("POST", "/whip/town", "v=0", "Authorization: Bearer " + token + "\r\n");
  CHECK(redirect.status == 307);
  CHECK(redirect.raw.find("Location: http://edge-root.test:8000/whip/town?grant=") != std::string::npos);

  // A tree whose root is a relay: the publisher goes where the room's edge is placed.
  REQUIRE(mesh.Link("relayed", "relay-1", "edge-outside").status == 200);
  auto publisher = entry.EntryFor("relayed", true);
  REQUIRE(publisher);
  CHECK(*publisher != "relay-1");
  for (int i = 0; i < 4; ++i) CHECK(entry.EntryFor("relayed", false) == "edge-outside");

  // A room without a tree keeps one edge for everybody.
  auto first = entry.EntryFor("plain", true);
  REQUIRE(first);
  for (int i = 0; i < 4; ++i) CHECK(entry.EntryFor("plain", false) == first);
}

TEST_CASE("SetPath makes the child reach its parent through another address") {
  Mesh mesh;
  auto& relay = mesh.Add(MakeHello("relay-1", NodeRole::kRelay, 10030, "sha-256 11:11"));
  auto& edge = mesh.Add(MakeHello("edge-2", NodeRole::kEdge, 10001, "sha-256 22:22"));
  auto& other = mesh.Add(MakeHello("edge-3", NodeRole::kEdge, 10002, "sha-256 33:33"));
  REQUIRE(mesh.AllRegistered());
  mesh.tree.SetPath("relay-1", "edge-2", NodeAddress{"127.0.0.1", 12345, "udp"});
  REQUIRE(mesh.Link("demo", "relay-1", "edge-2").status == 200);
  REQUIRE(mesh.Link("demo", "relay-1", "edge-3").status == 200);
  REQUIRE(edge.All<AttachStream>().size() == 1);
  REQUIRE(edge.All<AttachStream>()[0].parent_address);
  CHECK(edge.All<AttachStream>()[0].parent_address->port == 12345);
  // The parent still learns the child's own address, and other pairs are untouched.
  REQUIRE(relay.All<ServeChild>().size() == 2);
  REQUIRE(relay.All<ServeChild>()[0].child_address);
  CHECK(relay.All<ServeChild>()[0].child_address->port == 10001);
  REQUIRE(other.All<AttachStream>().size() == 1);
  REQUIRE(other.All<AttachStream>()[0].parent_address);
  CHECK(other.All<AttachStream>()[0].parent_address->port == 10030);
}

TEST_CASE(
    "The path provider is asked only for pairs SetPath does not cover, and nullopt keeps the node's "
    "address") {
  Mesh mesh;
  mesh.Add(MakeHello("relay-1", NodeRole::kRelay, 10030, "sha-256 11:11"));
  auto& near = mesh.Add(MakeHello("edge-2", NodeRole::kEdge, 10001, "sha-256 22:22"));
  auto& far = mesh.Add(MakeHello("edge-3", NodeRole::kEdge, 10002, "sha-256 33:33"));
  auto& fixed = mesh.Add(MakeHello("edge-4", NodeRole::kEdge, 10003, "sha-256 44:44"));
  REQUIRE(mesh.AllRegistered());
  std::vector<std::pair<std::string, std::string>> asked;
  mesh.tree.SetPathProvider(
      [&](const std::string& parent, const std::string& child) -> std::optional<NodeAddress> {
        asked.emplace_back(parent, child);
        if (child == "edge-3") return NodeAddress{"127.0.0.1", 23456, "udp"};
        return std::nullopt;
      });
  mesh.tree.SetPath("relay-1", "edge-4", NodeAddress{"127.0.0.1", 12345, "udp"});
  REQUIRE(mesh.Link("demo", "relay-1", "edge-2").status == 200);
  REQUIRE(mesh.Link("demo", "relay-1", "edge-3").status == 200);
  REQUIRE(mesh.Link("demo", "relay-1", "edge-4").status == 200);
  REQUIRE(mesh.Link("live", "relay-1", "edge-3").status == 200);
  CHECK(asked == std::vector<std::pair<std::string, std::string>>{
                     {"relay-1", "edge-2"}, {"relay-1", "edge-3"}, {"relay-1", "edge-3"}});
  REQUIRE(near.All<AttachStream>().size() == 1);
  CHECK(near.All<AttachStream>()[0].parent_address->port == 10030);
  REQUIRE(far.All<AttachStream>().size() == 2);
  CHECK(far.All<AttachStream>()[0].parent_address->port == 23456);
  CHECK(far.All<AttachStream>()[1].parent_address->port == 23456);
  REQUIRE(fixed.All<AttachStream>().size() == 1);
  CHECK(fixed.All<AttachStream>()[0].parent_address->port == 12345);
}
