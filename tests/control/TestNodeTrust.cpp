// Who may register as a node, and who may drive control's operator API: a real
// ControlServer and real ControlClients over loopback TLS, and control's real HTTP listeners.
#include <doctest/doctest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "control/client/ControlClient.hpp"
#include "control/client/NodeProof.hpp"
#include "control/server/ControlDaemon.hpp"
#include "control/server/ControlServer.hpp"
#include "control/server/OperatorAuth.hpp"
#include "core/dtls/Certificate.hpp"
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

constexpr const char* kNodeSecret = "cluster-node-secret-0123456789";
constexpr const char* kOperatorToken = "operator-token-0123456789abcdef";

struct CountingNode : ControlClient::Listener {
  int registered = 0;
  HelloAck ack;
  void OnControlClientRegistered(const HelloAck& a) override {
    ++registered;
    ack = a;
  }
  void OnControlClientCommand(const ControlMessage&, CommandResult& result) override { result.ok = true; }
  NodeLoad OnControlClientLoadRequested() override { return {}; }
};

ControlServer::Options SecretOptions(std::string secret) {
  ControlServer::Options options;
  options.heartbeat_interval_ms = 20;
  options.node_secret = std::move(secret);
  return options;
}

void RunFor(net::Loop& loop, uint64_t ms) {
  RunUntil(
      loop, [] { return false; }, ms);
}

// A node speaking the channel by hand: says exactly the hello it is given (or one with a
// proof it computes from this connection when `secret` is set) and never heartbeats.
struct RawNode : ControlConnection::Listener {
  std::unique_ptr<tls::TlsContext> context = tls::TlsContext::Client();
  std::unique_ptr<ControlConnection> connection;
  std::vector<HelloAck> acks;
  NodeHello hello;
  std::string secret;
  bool closed = false;

  void Connect(net::Loop& loop, const net::SocketAddress& control) {
    net::TcpConnection::Connect(loop, control, [this](std::unique_ptr<net::TcpConnection> tcp, int) {
      REQUIRE(tcp);
      connection = std::make_unique<ControlConnection>(*context, std::move(tcp),
                                                       ControlCertificate().fingerprint(), this, nullptr);
    });
  }
  void OnControlConnectionReady(ControlConnection* c) override {
    NodeHello h = hello;
    if (!secret.empty()) h.proof = NodeHelloProof(secret, h.node_id, c->ChannelBinding());
    c->Send({0, h});
  }
  void OnControlConnectionMessage(ControlConnection*, ControlMessage& message) override {
    if (auto* ack = std::get_if<HelloAck>(&message.body)) acks.push_back(*ack);
  }
  void OnControlConnectionClosed(ControlConnection*, const std::string&) override { closed = true; }
};

}  // namespace

TEST_CASE("A node with the right secret registers; wrong or no secret is refused, counted and slowed") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(),
                       SecretOptions(kNodeSecret), metrics);
  CountingNode good_node;
  CountingNode wrong_node;
  CountingNode bare_node;
  ControlClient good(loop, &good_node, server.channel_address(), ControlCertificate().fingerprint(),
                     MakeHello("edge-good"), kNodeSecret);
  ControlClient wrong(loop, &wrong_node, server.channel_address(), ControlCertificate().fingerprint(),
                      MakeHello("edge-wrong"), "another-secret-0123456789");
  ControlClient bare(loop, &bare_node, server.channel_address(), ControlCertificate().fingerprint(),
                     MakeHello("edge-bare"));
  good.Start();
  wrong.Start();
  bare.Start();
  RunUntil(loop, [&] {
    return good_node.registered == 1 && wrong.refusals() == 1 && bare.refusals() == 1 &&
           server.registry().nodes().at("edge-good").heartbeats >= 2;
  });
  CHECK(good_node.registered == 1);
  CHECK(good.registered());
  CHECK(server.registry().nodes().size() == 1);
  CHECK(server.registry().nodes().count("edge-good") == 1);

  CHECK(wrong_node.registered == 0);
  CHECK(wrong.last_refusal().starts_with("bad_secret: "));
  CHECK(bare_node.registered == 0);
  CHECK(bare.last_refusal().starts_with("no_proof: "));
  CHECK(metrics.Read("cascade_control_hello_refusals_total", {{"reason", "bad_secret"}}) == 1);
  CHECK(metrics.Read("cascade_control_hello_refusals_total", {{"reason", "no_proof"}}) == 1);
  CHECK(server.hello_refusals(HelloRefusal::kDuplicateId) == 0);

  // Control asked the refused nodes to wait (refused_retry_ms, 10 s): no hammering.
  RunFor(loop, 1000);
  CHECK(wrong.connects() == 1);
  CHECK(wrong.refusals() == 1);
  CHECK(bare.connects() == 1);
  CHECK_FALSE(wrong.registered());
  CHECK(server.registry().nodes().size() == 1);
}

TEST_CASE("A proof from another TLS connection (a replay) is refused as bad_secret") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(),
                       SecretOptions(kNodeSecret), metrics);
  RawNode replayer;
  replayer.hello = MakeHello("edge-1");
  std::vector<uint8_t> other_session(32, 0x5a);
  replayer.hello.proof = NodeHelloProof(kNodeSecret, "edge-1", other_session);  // the right secret, elsewhere
  replayer.Connect(loop, server.channel_address());
  RunUntil(loop, [&] { return replayer.closed; });
  REQUIRE(replayer.acks.size() == 1);
  CHECK_FALSE(replayer.acks[0].accepted);
  CHECK(replayer.acks[0].reason.starts_with("bad_secret"));
  CHECK(replayer.acks[0].retry_after_ms == 10000);
  CHECK(replayer.closed);
  CHECK(server.registry().nodes().empty());
  CHECK(server.hello_refusals(HelloRefusal::kBadSecret) == 1);

  // The same node computing its proof on its own connection is welcome.
  RawNode honest;
  honest.hello = MakeHello("edge-1");
  honest.secret = kNodeSecret;
  honest.Connect(loop, server.channel_address());
  RunUntil(loop, [&] { return !honest.acks.empty(); });
  REQUIRE(honest.acks.size() == 1);
  CHECK(honest.acks[0].accepted);
  CHECK(server.registry().nodes().count("edge-1") == 1);
}

TEST_CASE("Without auth.node_secret on control any node registers (development mode)") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(),
                       SecretOptions(""), metrics);
  CountingNode with_secret;
  CountingNode without;
  ControlClient a(loop, &with_secret, server.channel_address(), ControlCertificate().fingerprint(),
                  MakeHello("edge-a"), kNodeSecret);
  ControlClient b(loop, &without, server.channel_address(), ControlCertificate().fingerprint(),
                  MakeHello("edge-b"));
  a.Start();
  b.Start();
  RunUntil(loop, [&] { return with_secret.registered == 1 && without.registered == 1; });
  CHECK(with_secret.registered == 1);
  CHECK(without.registered == 1);
  CHECK(server.registry().alive_count() == 2);
}

TEST_CASE("A second hello with a connected node's id is refused; after it disconnects the id is free") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(),
                       SecretOptions(kNodeSecret), metrics);
  auto real_node = std::make_unique<CountingNode>();
  auto real =
      std::make_unique<ControlClient>(loop, real_node.get(), server.channel_address(),
                                      ControlCertificate().fingerprint(), MakeHello("edge-1"), kNodeSecret);
  real->Start();
  RunUntil(loop, [&] { return real_node->registered == 1; });
  REQUIRE(real_node->registered == 1);

  // An impostor that even knows the secret cannot take the live node's place.
  CountingNode impostor_node;
  NodeHello impostor_hello = MakeHello("edge-1");
  impostor_hello.http_url = "http://impostor.test";
  ControlClient impostor(loop, &impostor_node, server.channel_address(), ControlCertificate().fingerprint(),
                         impostor_hello, kNodeSecret);
  impostor.Start();
  RunUntil(loop, [&] { return impostor.refusals() >= 1; });
  CHECK(impostor.refusals() >= 1);
  CHECK(impostor.last_refusal().starts_with("duplicate_id: "));
  CHECK(impostor_node.registered == 0);
  CHECK(server.hello_refusals(HelloRefusal::kDuplicateId) >= 1);
  CHECK(metrics.Read("cascade_control_hello_refusals_total", {{"reason", "duplicate_id"}}) >= 1);
  CHECK(server.registry().nodes().at("edge-1").hello.http_url.empty());  // still the real one
  RunFor(loop, 100);
  CHECK(real->registered());
  CHECK(server.registry().nodes().at("edge-1").alive);

  // The real node goes away: the next hello with its id is accepted (retry after the
  // heartbeat timeout control asked for, 3 x 20 ms).
  real.reset();
  RunUntil(loop, [&] { return impostor_node.registered == 1; });
  CHECK(impostor_node.registered == 1);
  CHECK(server.registry().nodes().at("edge-1").hello.http_url == "http://impostor.test");
}

TEST_CASE("A node whose old connection is open but silent past the timeout is replaced by its reconnect") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(),
                       SecretOptions(kNodeSecret), metrics);
  RawNode stale;  // registers, then never heartbeats
  stale.hello = MakeHello("edge-1");
  stale.secret = kNodeSecret;
  stale.Connect(loop, server.channel_address());
  RunUntil(loop, [&] { return !stale.acks.empty(); });
  REQUIRE(stale.acks.size() == 1);
  REQUIRE(stale.acks[0].accepted);
  RunUntil(loop, [&] { return !server.registry().nodes().at("edge-1").alive; });
  REQUIRE_FALSE(server.registry().nodes().at("edge-1").alive);
  REQUIRE_FALSE(stale.closed);

  CountingNode node;
  ControlClient fresh(loop, &node, server.channel_address(), ControlCertificate().fingerprint(),
                      MakeHello("edge-1"), kNodeSecret);
  fresh.Start();
  RunUntil(loop, [&] { return node.registered == 1 && stale.closed; });
  CHECK(node.registered == 1);
  CHECK(stale.closed);
  CHECK(node.ack.ssrc_range_start == stale.acks[0].ssrc_range_start);  // the same node keeps its range
  CHECK(server.hello_refusals(HelloRefusal::kDuplicateId) == 0);
}

TEST_CASE("A refused connection cannot heartbeat, and a second hello on a registered one is refused") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(),
                       SecretOptions(kNodeSecret), metrics);
  RawNode node;
  node.hello = MakeHello("edge-1");
  node.secret = kNodeSecret;
  node.Connect(loop, server.channel_address());
  RunUntil(loop, [&] { return !node.acks.empty(); });
  REQUIRE(node.acks.size() == 1);
  REQUIRE(node.acks[0].accepted);
  NodeHello renamed = MakeHello("edge-2");
  renamed.proof = NodeHelloProof(kNodeSecret, "edge-2", node.connection->ChannelBinding());
  node.connection->Send({0, renamed});
  RunUntil(loop, [&] { return node.closed; });
  REQUIRE(node.acks.size() == 2);
  CHECK_FALSE(node.acks[1].accepted);
  CHECK(node.acks[1].reason.starts_with("repeated_hello"));
  CHECK(server.registry().nodes().count("edge-2") == 0);

  RawNode empty;
  empty.hello = MakeHello("");
  empty.Connect(loop, server.channel_address());
  RunUntil(loop, [&] { return empty.closed; });
  REQUIRE(empty.acks.size() == 1);
  CHECK(empty.acks[0].reason.starts_with("empty_id"));
  CHECK(metrics.Read("cascade_control_hello_refusals_total", {{"reason", "empty_id"}}) == 1);
}

namespace {

using HttpReply = cascade::test::JsonReply;

// One request from a client thread while the loop runs.
HttpReply Request(net::Loop& loop, uint16_t port, const std::string& method, const std::string& target,
                  const std::string& authorization = "", const std::string& body = "") {
  return cascade::test::JsonRequest(loop, port, method, target, body,
                                    authorization.empty() ? "" : "Authorization: " + authorization + "\r\n");
}

// The operator guard answered (not a handler of its own).
bool RefusedByOperatorGuard(const HttpReply& reply) {
  return reply.status == 401 && reply.raw.find("operator API") != std::string::npos;
}

ControlSettings LoopbackSettings() {
  ControlSettings settings;
  settings.http_address = *net::SocketAddress::Parse("127.0.0.1", 0);
  settings.channel_address = *net::SocketAddress::Parse("127.0.0.1", 0);
  return settings;
}

}  // namespace

TEST_CASE("With auth.operator_token every /api route but /api/token needs it (401 JSON without)") {
  net::Loop loop;
  ControlSettings settings = LoopbackSettings();
  settings.operator_token = kOperatorToken;
  ControlDaemon control(loop, settings);
  const uint16_t port = control.http().local_address().port();
  const std::string bearer = std::string("Bearer ") + kOperatorToken;

  auto none = Request(loop, port, "GET", "/api/nodes");
  CHECK(RefusedByOperatorGuard(none));
  CHECK(none.status == 401);
  CHECK(none.json["ok"] == false);
  CHECK(none.json["error"].get<std::string>().find("missing") != std::string::npos);
  CHECK(none.raw.find("WWW-Authenticate: Bearer") != std::string::npos);
  auto wrong = Request(loop, port, "GET", "/api/tree", "Bearer not-the-operator-token");
  CHECK(wrong.status == 401);
  CHECK(wrong.json["ok"] == false);
  // The attack from the issue: an unauthenticated link under the origin.
  auto link = Request(loop, port, "POST", "/api/tree/links", "",
                      R"({"stream":"demo","parent":"edge-1","child":"spy"})");
  CHECK(link.status == 401);
  // However the path is spelled.
  CHECK(Request(loop, port, "GET", "//api//nodes").status == 401);
  CHECK(control.metrics().Read("cascade_control_operator_refusals_total", {{"reason", "missing"}}) == 3);
  CHECK(control.metrics().Read("cascade_control_operator_refusals_total", {{"reason", "wrong"}}) == 1);

  auto nodes = Request(loop, port, "GET", "/api/nodes", bearer);
  CHECK(nodes.status == 200);
  CHECK(nodes.json["nodes"].is_array());
  CHECK(Request(loop, port, "GET", "/api/tree", bearer).status == 200);
  // What is not the operator API stays open: the client entry, health, metrics.
  CHECK(Request(loop, port, "GET", "/healthz").status == 200);
  CHECK(Request(loop, port, "GET", "/metrics").status == 200);
  CHECK_FALSE(RefusedByOperatorGuard(Request(loop, port, "POST", "/whep/demo")));
  CHECK(Request(loop, port, "OPTIONS", "/api/nodes").status == 204);  // CORS preflight
}

TEST_CASE("control.operator_listen moves the operator API and /metrics off the public listener") {
  net::Loop loop;
  ControlSettings settings = LoopbackSettings();
  settings.operator_address = *net::SocketAddress::Parse("127.0.0.1", 0);
  settings.operator_token = kOperatorToken;
  ControlDaemon control(loop, settings);
  const uint16_t public_port = control.http().local_address().port();
  const uint16_t operator_port = control.operator_http().local_address().port();
  REQUIRE(public_port != operator_port);
  const std::string bearer = std::string("Bearer ") + kOperatorToken;

  CHECK(Request(loop, public_port, "GET", "/api/nodes", bearer).status == 404);
  CHECK(Request(loop, public_port, "POST", "/api/tree/links", bearer, "{}").status == 404);
  CHECK(Request(loop, public_port, "GET", "/metrics").status == 404);
  CHECK(Request(loop, public_port, "GET", "/healthz").status == 200);
  CHECK(Request(loop, public_port, "POST", "/whip/demo").status != 404);  // the client entry stays

  CHECK(RefusedByOperatorGuard(Request(loop, operator_port, "GET", "/api/nodes")));
  CHECK(Request(loop, operator_port, "GET", "/api/nodes", bearer).status == 200);
  CHECK(Request(loop, operator_port, "GET", "/metrics").status == 200);
  CHECK(Request(loop, operator_port, "POST", "/whip/demo").status == 404);
}

TEST_CASE("Without auth.operator_token the operator API is open (development mode)") {
  net::Loop loop;
  ControlDaemon control(loop, LoopbackSettings());
  CHECK(Request(loop, control.http().local_address().port(), "GET", "/api/nodes").status == 200);
}

TEST_CASE("Control's configuration takes the trust keys and checks them") {
  base::Config config;
  config.Set("auth.node_secret", kNodeSecret, "test");
  config.Set("auth.operator_token", kOperatorToken, "test");
  config.Set("control.operator_listen", "127.0.0.1:9999", "test");
  config.RejectUnknownKeys(ControlSettings::KnownKeys());
  auto settings = ControlSettings::FromConfig(config);
  CHECK(settings.node_secret == kNodeSecret);
  CHECK(settings.operator_token == kOperatorToken);
  REQUIRE(settings.operator_address);
  CHECK(settings.operator_address->port() == 9999);

  base::Config short_secret;
  short_secret.Set("auth.node_secret", "short", "test");
  CHECK_THROWS_WITH_AS(ControlSettings::FromConfig(short_secret),
                       doctest::Contains("auth.node_secret': must be at least 16"), base::ConfigError);
  base::Config bad_listen;
  bad_listen.Set("control.operator_listen", "9999", "test");
  CHECK_THROWS_AS(ControlSettings::FromConfig(bad_listen), base::ConfigError);
  CHECK_FALSE(ControlSettings::FromConfig(base::Config{}).operator_address);
}
