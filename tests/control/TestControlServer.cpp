#include <doctest/doctest.h>

#include <sys/socket.h>

#include "control/client/ControlClient.hpp"
#include "control/server/ControlServer.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/net/Timer.hpp"
#include "tests/RunLoop.hpp"
#include "tests/control/TestNodes.hpp"

using namespace cascade;
using namespace cascade::control;
using cascade::test::ControlCertificate;

using cascade::test::RunUntil;

namespace {

struct FakeNode : ControlClient::Listener {
  int registered = 0;
  HelloAck ack;
  void OnControlClientRegistered(const HelloAck& a) override {
    ++registered;
    ack = a;
  }
  void OnControlClientCommand(const ControlMessage&, CommandResult& result) override { result.ok = true; }
  NodeLoad OnControlClientLoadRequested() override { return NodeLoad{2, 40, 1.5f, 1000, 10, 0}; }
};

NodeHello RelayHello(const std::string& id) { return test::MakeHello(id, 0, NodeRole::kRelay); }

}  // namespace

TEST_CASE("A node registers, heartbeats and gets distinct SSRC ranges") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer::Options options;
  options.heartbeat_interval_ms = 20;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(), options,
                       metrics);
  FakeNode a_node;
  FakeNode b_node;
  ControlClient a(loop, &a_node, server.channel_address(), ControlCertificate().fingerprint(),
                  RelayHello("relay-a"));
  ControlClient b(loop, &b_node, server.channel_address(), ControlCertificate().fingerprint(),
                  RelayHello("relay-b"));
  a.Start();
  b.Start();
  RunUntil(loop, [&] {
    const auto& nodes = server.registry().nodes();
    return nodes.size() == 2 && nodes.at("relay-a").heartbeats >= 3 && nodes.at("relay-b").heartbeats >= 3;
  });
  REQUIRE(server.registry().nodes().size() == 2);
  CHECK(a_node.registered == 1);
  CHECK(a_node.ack.heartbeat_interval_ms == 20);
  CHECK(a_node.ack.ssrc_range_start != b_node.ack.ssrc_range_start);
  CHECK(server.registry().nodes().at("relay-a").load.users == 40);
  CHECK(server.registry().alive_count() == 2);
  CHECK(metrics.Read("cascade_control_nodes_alive") == 2);
}

TEST_CASE("A garbage frame inside TLS closes the connection and is counted; the node stays unknown") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(), {}, metrics);
  auto client_context = tls::TlsContext::Client();
  struct Peer : tls::TlsStream::Listener {
    bool closed = false;
    void OnTlsStreamConnected(tls::TlsStream* stream) override {
      // A well-formed size prefix followed by bytes that are no FlatBuffer.
      const uint8_t garbage[] = {12, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8};
      stream->Write(garbage);
    }
    void OnTlsStreamData(tls::TlsStream*, std::span<const uint8_t>) override {}
    void OnTlsStreamClosed(tls::TlsStream*, const std::string&) override { closed = true; }
  } peer;
  std::unique_ptr<tls::TlsStream> stream;
  net::TcpConnection::Connect(loop, server.channel_address(),
                              [&](std::unique_ptr<net::TcpConnection> c, int) {
                                stream = std::make_unique<tls::TlsStream>(
                                    *client_context, std::move(c), ControlCertificate().fingerprint(), &peer);
                              });
  RunUntil(loop, [&] { return peer.closed; });
  CHECK(peer.closed);
  CHECK(server.registry().nodes().empty());
  CHECK(metrics.Read("cascade_control_decode_errors_total", {{"kind", "unverifiable"}}) == 1);
}

TEST_CASE("A node refuses a control plane whose certificate does not match the pinned fingerprint") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(), {}, metrics);
  auto impostor = dtls::Certificate::Generate("impostor");
  FakeNode node;
  ControlClient client(loop, &node, server.channel_address(), impostor->fingerprint(), RelayHello("edge-x"));
  client.Start();
  RunUntil(
      loop, [&] { return client.connects() >= 2; }, 3000);
  CHECK(client.connects() >= 2);  // it keeps trying, and never registers
  CHECK(node.registered == 0);
  CHECK(server.registry().nodes().empty());
}

TEST_CASE("Plain TCP (no TLS) to the control channel gets nowhere") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(), {}, metrics);
  bool closed = false;
  std::unique_ptr<net::TcpConnection> raw;
  struct Watch : net::TcpConnection::Listener {
    bool* closed;
    void OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t>) override {}
    void OnTcpConnectionClosed(net::TcpConnection*) override { *closed = true; }
  } watch;
  watch.closed = &closed;
  net::TcpConnection::Connect(loop, server.channel_address(),
                              [&](std::unique_ptr<net::TcpConnection> c, int) {
                                raw = std::move(c);
                                raw->Start(&watch);
                                auto hello = EncodeControlMessage({1, RelayHello("sneaky")});
                                raw->Write(hello);
                              });
  RunUntil(loop, [&] { return closed; });
  CHECK(closed);
  CHECK(server.registry().nodes().empty());
}

TEST_CASE("A node whose heartbeats stop is marked dead after the timeout") {
  NodeRegistry registry;
  auto ack = registry.Register(RelayHello("edge-1"), 1'000'000, 1000);
  REQUIRE(ack.ok());
  CHECK(ack->accepted);
  CHECK(registry.Heartbeat("edge-1", {}, 2'000'000));
  CHECK_FALSE(registry.Heartbeat("ghost", {}, 2'000'000));
  CHECK(registry.Expire(4'000'000, 3'000'000).empty());
  CHECK(registry.Expire(5'100'000, 3'000'000) == std::vector<std::string>{"edge-1"});
  CHECK(registry.alive_count() == 0);
  // Re-registering keeps the node's SSRC range.
  auto again = registry.Register(RelayHello("edge-1"), 6'000'000, 1000);
  REQUIRE(again.ok());
  CHECK(again->ssrc_range_start == ack->ssrc_range_start);
  CHECK(registry.alive_count() == 1);
  auto empty = registry.Register(RelayHello(""), 1, 1);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error() == HelloRefusal::kEmptyId);
}

TEST_CASE("A client reconnects and re-registers after the control plane restarts") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  auto address = *net::SocketAddress::Parse("127.0.0.1", 0);
  auto server =
      std::make_unique<ControlServer>(loop, address, ControlCertificate(), ControlServer::Options{}, metrics);
  auto bound = server->channel_address();
  FakeNode node;
  ControlClient client(loop, &node, bound, ControlCertificate().fingerprint(), RelayHello("edge-r"));
  client.Start();
  RunUntil(loop, [&] { return node.registered == 1; });
  REQUIRE(node.registered == 1);
  server.reset();
  RunUntil(loop, [&] { return !client.registered(); });
  CHECK_FALSE(client.registered());
  base::MetricsRegistry metrics2;
  server =
      std::make_unique<ControlServer>(loop, bound, ControlCertificate(), ControlServer::Options{}, metrics2);
  RunUntil(
      loop, [&] { return node.registered == 2; }, 10000);
  CHECK(node.registered == 2);
  CHECK(client.connects() == 2);
}
