#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/base/Bytes.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/ice/IceTcpFramer.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/net/Loop.hpp"
#include "core/net/TcpConnection.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "core/transport/IceTcpConnection.hpp"
#include "core/transport/IceTcpServer.hpp"
#include "core/transport/WebRtcTransport.hpp"
#include "tests/core/transport/TransportTestPeer.hpp"

using namespace cascade;
using namespace cascade::transport;
using namespace cascade::transport::test;

namespace {

// What the edge does with the ICE-TCP port: STUN from an unbound connection goes to the
// transport its USERNAME names; anything else there is dropped.
struct TcpOwner : IceTcpServer::Listener {
  void OnIceTcpServerPacket(IceTcpServer*, IceTcpConnection* connection, std::span<uint8_t> packet) override {
    if (ice::PacketDemux::Classify(packet) != ice::PacketKind::kStun) {
      ++unbound_media;
      return;
    }
    auto message = ice::StunMessage::Parse(packet);
    if (!message.ok()) return;
    auto username = message->username();
    if (!username || username->substr(0, username->find(':')) != transport->local_ufrag()) {
      ++unknown_ufrag;
      return;
    }
    last_connection = connection;
    transport->ReceiveStun(*message, *connection);
  }
  void OnIceTcpServerConnectionClosed(IceTcpServer*, IceTcpConnection*) override { ++closed; }

  WebRtcTransport* transport = nullptr;
  IceTcpConnection* last_connection = nullptr;  // the last one whose STUN went to the transport
  int unbound_media = 0;
  int unknown_ufrag = 0;
  int closed = 0;
};

// The client's side of its own connection: the transport binds it at once, so this only
// hears the close.
struct ClientConnectionOwner : IceTcpConnection::Sink {
  void OnIceTcpPacket(IceTcpConnection*, std::span<uint8_t>) override { ++unbound_packets; }
  void OnIceTcpConnectionClosed(IceTcpConnection*) override { closed = true; }
  int unbound_packets = 0;
  bool closed = false;
};

// A plain TCP connection that writes raw bytes, to feed the server what no ICE agent would.
struct RawTcp : net::TcpConnection::Listener {
  void OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t> data) override {
    received += data.size();
  }
  void OnTcpConnectionClosed(net::TcpConnection*) override { closed = true; }
  std::unique_ptr<net::TcpConnection> connection;
  size_t received = 0;
  bool closed = false;
};

std::unique_ptr<net::TcpConnection> ConnectBlocking(net::Loop& loop, const net::SocketAddress& to) {
  std::unique_ptr<net::TcpConnection> result;
  bool done = false;
  net::TcpConnection::Connect(loop, to, [&](std::unique_ptr<net::TcpConnection> connection, int status) {
    CHECK(status == 0);
    result = std::move(connection);
    done = true;
    loop.Stop();
  });
  net::Timer timeout(loop, [&] { loop.Stop(); });
  timeout.Start(2000);
  loop.Run();
  REQUIRE(done);
  return result;
}

// A client-mode transport over TCP to a lite transport behind an IceTcpServer, connected.
struct TcpPair {
  TcpPair(net::Loop& loop, IceTcpServer::Options options = {})
      : client_cert(dtls::Certificate::Generate("client")),
        server_cert(dtls::Certificate::Generate("server")),
        client(loop, *client_cert),
        server(loop, *server_cert),
        tcp_server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), &owner, options) {
    auto configs = MakePairConfigs(*client_cert, *server_cert, server.socket.local_address());
    configs.client.remote_address.reset();  // checks go on the TCP connection only
    configs.client.consent_interval_ms = 50;
    server.Start(loop, configs.server);
    client.Start(loop, configs.client);
    owner.transport = server.transport.get();
    client_connection =
        std::make_unique<IceTcpConnection>(ConnectBlocking(loop, tcp_server.local_address()), &client_owner);
    REQUIRE(client.transport->UseTcpConnection(*client_connection));
  }

  std::unique_ptr<dtls::Certificate> client_cert;
  std::unique_ptr<dtls::Certificate> server_cert;
  Peer client;
  Peer server;
  TcpOwner owner;
  IceTcpServer tcp_server;
  ClientConnectionOwner client_owner;
  std::unique_ptr<IceTcpConnection> client_connection;
};

}  // namespace

TEST_CASE("ICE-TCP: a client-mode transport reaches an ICE-lite transport through IceTcpServer") {
  sctp::SctpLibrary::Ref sctp_library;
  net::Loop loop;
  TcpPair pair(loop);
  Peer& client = pair.client;
  Peer& server = pair.server;

  REQUIRE(RunUntil(loop, client, server, [&] { return client.connected && server.connected; }));
  // ICE selected the TCP connection on both sides; no UDP address was ever selected.
  REQUIRE(server.tcp_selected != nullptr);
  CHECK(server.transport->selected_tcp_connection() == server.tcp_selected);
  CHECK(server.tcp_selected->bound() != nullptr);
  CHECK(client.tcp_selected == pair.client_connection.get());
  CHECK(!server.selected);
  CHECK(!client.selected);
  CHECK(pair.tcp_server.connections() == 1);
  CHECK(pair.tcp_server.stats().accepted == 1);

  // SRTP both ways.
  for (uint16_t i = 0; i < 5; ++i) {
    CHECK(client.SendRtp(0x11111111, i));
    CHECK(server.SendRtp(0x22222222, i));
  }
  REQUIRE(RunUntil(loop, client, server,
                   [&] { return client.rtp_ssrcs.size() == 5 && server.rtp_ssrcs.size() == 5; }));

  // SCTP: a channel the client opens, a message each way.
  std::optional<uint16_t> stream;
  REQUIRE(RunUntil(loop, client, server, [&] {
    if (!stream) stream = client.transport->OpenDataChannel({.label = "chat"});
    return stream && server.opened_label == "chat";
  }));
  const std::string hello = "hello over ICE-TCP";
  CHECK(client.transport->SendDataChannelMessage(*stream, sctp::DataChannelMessageType::kText, Bytes(hello)));
  REQUIRE(RunUntil(loop, client, server, [&] { return !server.messages.empty(); }));
  CHECK(server.messages.front() == hello);
  const std::string reply = "and back";
  CHECK(server.transport->SendDataChannelMessage(server.opened_stream, sctp::DataChannelMessageType::kText,
                                                 Bytes(reply)));
  REQUIRE(RunUntil(loop, client, server, [&] { return !client.messages.empty(); }));
  CHECK(client.messages.front() == reply);

  // Consent checks keep coming over TCP and time the round trip.
  const uint64_t answered = server.transport->checks_succeeded();
  REQUIRE(
      RunUntil(loop, client, server, [&] { return server.transport->checks_succeeded() >= answered + 2; }));
  REQUIRE(client.transport->rtt_us());
  CHECK(*client.transport->rtt_us() < 100'000);

  // Nothing went through the UDP sockets.
  CHECK(client.socket.stats().datagrams_sent == 0);
  CHECK(server.socket.stats().datagrams_sent == 0);
  CHECK(pair.owner.unbound_media == 0);
  CHECK(pair.client_owner.unbound_packets == 0);
  CHECK(server.drops.Total() == 0);
  CHECK(client.drops.Total() == 0);
  CHECK(!client.ended);
  CHECK(!server.ended);

  // ICE restart over the same connection: new credentials on both sides, same DTLS and SRTP.
  server.transport->RestartIce("srv2", "server-password-second-gen", "cli2", "client-password-second-gen");
  client.transport->RestartIce("cli2", "client-password-second-gen", "srv2", "server-password-second-gen");
  const uint64_t before_restart = server.transport->checks_succeeded();
  REQUIRE(RunUntil(loop, client, server,
                   [&] { return server.transport->checks_succeeded() >= before_restart + 2; }));
  CHECK(client.SendRtp(0x11111111, 100));
  REQUIRE(RunUntil(loop, client, server, [&] { return server.rtp_ssrcs.size() == 6; }));
  CHECK(client.connected_count == 1);
  CHECK(server.connected_count == 1);
  CHECK(server.transport->selected_tcp_connection() == server.tcp_selected);

  // Destroying the server transport closes the connection it had bound; the client hears it.
  server.transport.reset();
  pair.owner.transport = nullptr;
  RunFor(loop, 100);
  CHECK(pair.client_owner.closed);
  CHECK(pair.owner.closed == 1);
  CHECK(pair.tcp_server.connections() == 0);
  CHECK(client.transport->selected_tcp_connection() == nullptr);
  CHECK(client.transport->BeginSend().empty());
}

TEST_CASE("ICE-TCP: a malformed frame closes only its own connection and is counted") {
  sctp::SctpLibrary::Ref sctp_library;
  net::Loop loop;
  IceTcpServer::Options options;
  options.unbound_timeout_ms = 100;
  TcpPair pair(loop, options);
  Peer& client = pair.client;
  Peer& server = pair.server;
  REQUIRE(RunUntil(loop, client, server, [&] { return client.connected && server.connected; }));
  const net::SocketAddress server_address = pair.tcp_server.local_address();

  // A frame whose first byte is no STUN/DTLS/RTP/RTCP (RFC 7983), after one good-looking prefix.
  RawTcp garbage;
  garbage.connection = ConnectBlocking(loop, server_address);
  garbage.connection->Start(&garbage);
  const std::array<uint8_t, 6> bad_frame = {0x00, 0x04, 0xFF, 0xFF, 0xFF, 0xFF};
  garbage.connection->Write(bad_frame);
  // A length over the server's frame limit.
  RawTcp oversized;
  oversized.connection = ConnectBlocking(loop, server_address);
  oversized.connection->Start(&oversized);
  const std::array<uint8_t, 3> huge_prefix = {0xFF, 0xFF, 0x00};
  oversized.connection->Write(huge_prefix);
  // A connection that never says anything: closed once unbound for too long.
  RawTcp silent;
  silent.connection = ConnectBlocking(loop, server_address);
  silent.connection->Start(&silent);

  REQUIRE(RunUntil(
      loop, client, server, [&] { return garbage.closed && oversized.closed && silent.closed; }, 3000));
  const auto& stats = pair.tcp_server.stats();
  CHECK(stats.accepted == 4);
  CHECK(stats.framing_errors.Get(ice::IceTcpFramerError::kGarbage) == 1);
  CHECK(stats.framing_errors.Get(ice::IceTcpFramerError::kFrameTooLarge) == 1);
  CHECK(stats.framing_errors.Total() == 2);
  CHECK(stats.unbound_timeouts == 1);
  CHECK(pair.owner.closed == 3);
  CHECK(pair.tcp_server.connections() == 1);

  // The session's own connection carries on: media still flows both ways.
  for (uint16_t i = 0; i < 3; ++i) {
    CHECK(client.SendRtp(0x11111111, i));
    CHECK(server.SendRtp(0x22222222, i));
  }
  REQUIRE(RunUntil(loop, client, server,
                   [&] { return client.rtp_ssrcs.size() == 3 && server.rtp_ssrcs.size() == 3; }));
  CHECK(!pair.client_owner.closed);
  CHECK(!server.ended);
}

TEST_CASE("ICE-TCP: an unknown ufrag or a wrong password never binds a connection") {
  sctp::SctpLibrary::Ref sctp_library;
  net::Loop loop;
  auto client_cert = dtls::Certificate::Generate("client");
  auto server_cert = dtls::Certificate::Generate("server");
  Peer client(loop, *client_cert);
  Peer server(loop, *server_cert);
  TcpOwner owner;
  IceTcpServer tcp_server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), &owner);
  auto configs = MakePairConfigs(*client_cert, *server_cert, server.socket.local_address());
  configs.client.remote_address.reset();
  configs.client.remote_pwd = "not-the-server-password-000";  // checks fail integrity
  server.Start(loop, configs.server);
  client.Start(loop, configs.client);
  owner.transport = server.transport.get();
  ClientConnectionOwner client_owner;
  auto connection =
      std::make_unique<IceTcpConnection>(ConnectBlocking(loop, tcp_server.local_address()), &client_owner);
  REQUIRE(client.transport->UseTcpConnection(*connection));
  REQUIRE(RunUntil(loop, client, server,
                   [&] { return server.drops.Get(TransportDrop::kStunBadIntegrity) >= 3; }));
  CHECK(server.transport->checks_succeeded() == 0);
  CHECK(server.transport->state() == TransportState::kWaitingForIce);
  CHECK(server.tcp_selected == nullptr);
  CHECK(tcp_server.connections() == 1);
  // Still the owner's: every check kept arriving at the server's listener, none was bound.
  REQUIRE(owner.last_connection != nullptr);
  CHECK(owner.last_connection->bound() == nullptr);
  CHECK(owner.unknown_ufrag == 0);
}

TEST_CASE("ICE-TCP: connections over the server's limit are closed at once") {
  net::Loop loop;
  TcpOwner owner;
  IceTcpServer::Options options;
  options.max_connections = 1;
  IceTcpServer tcp_server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), &owner, options);
  RawTcp first;
  first.connection = ConnectBlocking(loop, tcp_server.local_address());
  first.connection->Start(&first);
  RawTcp second;
  second.connection = ConnectBlocking(loop, tcp_server.local_address());
  second.connection->Start(&second);
  net::Timer poll(loop, [&] {
    if (second.closed) loop.Stop();
  });
  poll.Start(10, 10);
  net::Timer timeout(loop, [&] { loop.Stop(); });
  timeout.Start(2000);
  loop.Run();
  CHECK(second.closed);
  CHECK(!first.closed);
  CHECK(tcp_server.stats().accepted == 1);
  CHECK(tcp_server.stats().refused == 1);
  CHECK(tcp_server.connections() == 1);
}
