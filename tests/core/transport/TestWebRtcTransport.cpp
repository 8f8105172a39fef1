#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/base/Clock.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunIntegrity.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/ice/StunMessageBuilder.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "core/net/UdpSocket.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "core/srtp/SrtpSession.hpp"
#include "core/transport/WebRtcTransport.hpp"
#include "tests/core/transport/TransportTestPeer.hpp"

using namespace cascade;
using namespace cascade::transport;
using namespace cascade::transport::test;

TEST_CASE("WebRtcTransport client mode connects to an ICE-lite server and carries media and data") {
  sctp::SctpLibrary::Ref sctp_library;
  net::Loop loop;
  auto client_cert = dtls::Certificate::Generate("client");
  auto server_cert = dtls::Certificate::Generate("server");
  Peer client(loop, *client_cert);
  Peer server(loop, *server_cert);

  WebRtcTransportConfig server_config;  // the edge's side: ICE-lite, DTLS server
  server_config.local_ufrag = "srvU";
  server_config.local_pwd = "server-password-0123456789";
  server_config.remote_ufrag = "cliU";
  server_config.remote_pwd = "client-password-0123456789";
  server_config.remote_fingerprint = client_cert->fingerprint();
  server_config.dtls_role = dtls::DtlsRole::kServer;
  server_config.data_channels = true;

  WebRtcTransportConfig client_config;  // the load generator's side: controlling, DTLS client
  client_config.local_ufrag = server_config.remote_ufrag;
  client_config.local_pwd = server_config.remote_pwd;
  client_config.remote_ufrag = server_config.local_ufrag;
  client_config.remote_pwd = server_config.local_pwd;
  client_config.remote_fingerprint = server_cert->fingerprint();
  client_config.dtls_role = dtls::DtlsRole::kClient;
  client_config.data_channels = true;
  client_config.ice_controlling = true;
  client_config.remote_address = server.socket.local_address();

  server.Start(loop, server_config);
  client.Start(loop, client_config);

  REQUIRE(RunUntil(loop, client, server, [&] { return client.connected && server.connected; }));
  REQUIRE(client.selected);
  CHECK(*client.selected == server.socket.local_address());
  REQUIRE(server.selected);
  CHECK(*server.selected == client.socket.local_address());
  CHECK(client.transport->state() == TransportState::kConnected);

  // SRTP both ways.
  for (uint16_t i = 0; i < 5; ++i) {
    CHECK(client.SendRtp(0x11111111, i));
    CHECK(server.SendRtp(0x22222222, i));
  }
  REQUIRE(RunUntil(loop, client, server,
                   [&] { return client.rtp_ssrcs.size() == 5 && server.rtp_ssrcs.size() == 5; }));
  CHECK(server.rtp_ssrcs.front() == 0x11111111);
  CHECK(client.rtp_ssrcs.front() == 0x22222222);

  // A data channel opened by the client, one message each way.
  std::optional<uint16_t> stream;
  REQUIRE(RunUntil(loop, client, server, [&] {
    if (!stream) stream = client.transport->OpenDataChannel({.label = "chat"});
    return stream && server.opened_label == "chat";
  }));
  const std::string hello = "hello from the client";
  CHECK(client.transport->SendDataChannelMessage(
      *stream, sctp::DataChannelMessageType::kText,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(hello.data()), hello.size())));
  REQUIRE(RunUntil(loop, client, server, [&] { return !server.messages.empty(); }));
  CHECK(server.messages.front() == hello);
  const std::string reply = "hello from the server";
  CHECK(server.transport->SendDataChannelMessage(
      server.opened_stream, sctp::DataChannelMessageType::kText,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(reply.data()), reply.size())));
  REQUIRE(RunUntil(loop, client, server, [&] { return !client.messages.empty(); }));
  CHECK(client.messages.front() == reply);

  CHECK(client.drops.Get(TransportDrop::kStunBadIntegrity) == 0);
  CHECK(server.drops.Get(TransportDrop::kStunBadIntegrity) == 0);
  CHECK(!client.ended);
  CHECK(!server.ended);
  client.transport.reset();
  server.transport.reset();
}

// Answers every Binding request with a success response keyed with `password`.
struct FakeResponder : net::UdpSocket::Listener {
  FakeResponder(net::Loop& loop, std::string password_)
      : password(std::move(password_)), socket(loop, this, *net::SocketAddress::Parse("127.0.0.1", 0)) {}
  void OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data, const net::SocketAddress& from) override {
    auto request = ice::StunMessage::Parse(data);
    if (!request.ok()) return;
    ++requests;
    use_candidate = request->use_candidate();
    controlling = request->ice_controlling().has_value();
    sockaddr_storage storage{};
    std::memcpy(&storage, from.raw(), from.length());
    auto mapped = ice::TransportAddress::FromSockaddr(storage);
    auto slot = socket.PrepareSend();
    auto response = ice::StunMessageBuilder::BindingSuccess(slot, request->transaction_id(), *mapped,
                                                            ice::StunIntegrity::ShortTermKey(password));
    if (response.ok()) socket.CommitSend(response->size(), from);
  }
  std::string password;
  net::UdpSocket socket;
  int requests = 0;
  bool use_candidate = false;
  bool controlling = false;
};

TEST_CASE("WebRtcTransport client mode rejects a success response keyed with the wrong password") {
  net::Loop loop;
  auto client_cert = dtls::Certificate::Generate("client");
  Peer client(loop, *client_cert);
  FakeResponder responder(loop, "not-the-server-password-0123");
  WebRtcTransportConfig config;
  config.local_ufrag = "cliU";
  config.local_pwd = "client-password-0123456789";
  config.remote_ufrag = "srvU";
  config.remote_pwd = "server-password-0123456789";
  config.remote_fingerprint = client_cert->fingerprint();
  config.dtls_role = dtls::DtlsRole::kClient;
  config.ice_controlling = true;
  config.remote_address = responder.socket.local_address();
  client.Start(loop, config);
  net::Timer tick(loop, [&] { client.transport->OnFastTick(); });
  tick.Start(10, 10);
  net::Timer stop(loop, [&] { loop.Stop(); });
  stop.Start(300);
  loop.Run();
  // Checks every 50 ms, nominating and controlling; every answer fails integrity.
  CHECK(responder.requests >= 3);
  CHECK(responder.use_candidate);
  CHECK(responder.controlling);
  CHECK(client.drops.Get(TransportDrop::kStunBadIntegrity) >= 3);
  CHECK(!client.selected);
  CHECK(client.transport->state() == TransportState::kWaitingForIce);
}

namespace {

// Sends Binding requests from its own socket, as a peer that moved to another address would,
// and counts what comes back.
struct RawChecker : net::UdpSocket::Listener {
  explicit RawChecker(net::Loop& loop) : socket(loop, this, *net::SocketAddress::Parse("127.0.0.1", 0)) {}
  void SendCheck(const net::SocketAddress& to, const std::string& username, const std::string& password,
                 bool use_candidate) {
    std::array<uint8_t, ice::kStunTransactionIdSize> id{};
    id[0] = static_cast<uint8_t>(++sent);
    ice::StunBindingRequestParams params{.transaction_id = id};
    params.username = username;
    params.key = ice::StunIntegrity::ShortTermKey(password);
    params.priority = 1;
    params.ice_controlling = 42;
    params.use_candidate = use_candidate;
    auto slot = socket.PrepareSend();
    auto request = ice::StunMessageBuilder::BindingRequest(slot, params);
    REQUIRE(request.ok());
    socket.CommitSend(request->size(), to);
  }
  void OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data, const net::SocketAddress&) override {
    if (ice::PacketDemux::Classify(data) == ice::PacketKind::kStun) {
      ++stun_answers;
    } else {
      ++other_packets;
    }
  }
  net::UdpSocket socket;
  int sent = 0;
  int stun_answers = 0;
  int other_packets = 0;
};

}  // namespace

TEST_CASE("WebRtcTransport ICE restart keeps DTLS, SRTP and SCTP and answers only the new credentials") {
  sctp::SctpLibrary::Ref sctp_library;
  net::Loop loop;
  auto client_cert = dtls::Certificate::Generate("client");
  auto server_cert = dtls::Certificate::Generate("server");
  Peer client(loop, *client_cert);
  Peer server(loop, *server_cert);
  auto configs = MakePairConfigs(*client_cert, *server_cert, server.socket.local_address());
  configs.client.consent_interval_ms = 20;  // so the test sees several consent checks quickly
  server.Start(loop, configs.server);
  client.Start(loop, configs.client);
  REQUIRE(RunUntil(loop, client, server, [&] { return client.connected && server.connected; }));
  std::optional<uint16_t> stream;
  REQUIRE(RunUntil(loop, client, server, [&] {
    if (!stream) stream = client.transport->OpenDataChannel({.label = "chat"});
    return stream && server.opened_label == "chat";
  }));

  // Only the server restarts: the client's checks still carry the old credentials, which are
  // now refused and counted apart, and no longer refresh consent or get answers.
  const std::string old_server_ufrag = server.transport->local_ufrag();
  server.transport->RestartIce("srv2", "server-password-second-gen", "cli2", "client-password-second-gen");
  CHECK(old_server_ufrag == "srvU");
  CHECK(server.transport->local_ufrag() == "srv2");
  const uint64_t server_answered = server.transport->checks_succeeded();
  REQUIRE(RunUntil(loop, client, server,
                   [&] { return server.drops.Get(TransportDrop::kStunOldCredentials) >= 3; }));
  // An answer sent just before the restart may still have been on its way: count from here.
  const uint64_t client_answered = client.transport->checks_succeeded();
  REQUIRE(RunUntil(loop, client, server,
                   [&] { return server.drops.Get(TransportDrop::kStunOldCredentials) >= 6; }));
  CHECK(server.transport->checks_succeeded() == server_answered);
  CHECK(client.transport->checks_succeeded() == client_answered);
  CHECK(server.drops.Get(TransportDrop::kStunWrongUsername) == 0);
  // Media still flows on the selected pair meanwhile: ICE restart leaves DTLS and SRTP alone.
  CHECK(server.SendRtp(0x22222222, 100));
  REQUIRE(RunUntil(loop, client, server, [&] { return client.rtp_ssrcs.size() == 1; }));

  // The client learns the new credentials (the PATCH answer) and restarts too: its checks
  // nominate again and are answered.
  client.transport->RestartIce("cli2", "client-password-second-gen", "srv2", "server-password-second-gen");
  REQUIRE(RunUntil(loop, client, server, [&] {
    return server.transport->checks_succeeded() > server_answered + 2 &&
           client.transport->checks_succeeded() > client_answered + 2;
  }));
  CHECK(*server.selected == client.socket.local_address());

  // The same DTLS association, SRTP keys and SCTP association carry on.
  for (uint16_t i = 0; i < 5; ++i) {
    CHECK(client.SendRtp(0x11111111, i));
    CHECK(server.SendRtp(0x22222222, static_cast<uint16_t>(101 + i)));
  }
  REQUIRE(RunUntil(loop, client, server,
                   [&] { return server.rtp_ssrcs.size() == 5 && client.rtp_ssrcs.size() == 6; }));
  const std::string hello = "after the restart";
  CHECK(client.transport->SendDataChannelMessage(*stream, sctp::DataChannelMessageType::kText, Bytes(hello)));
  REQUIRE(RunUntil(loop, client, server, [&] { return !server.messages.empty(); }));
  CHECK(server.messages.back() == hello);
  CHECK(client.connected_count == 1);
  CHECK(server.connected_count == 1);
  CHECK(client.transport->state() == TransportState::kConnected);
  CHECK(server.transport->state() == TransportState::kConnected);
  CHECK(client.drops.Get(TransportDrop::kSrtpFailed) == 0);
  CHECK(server.drops.Get(TransportDrop::kSrtpFailed) == 0);
  CHECK(server.drops.Get(TransportDrop::kStunBadIntegrity) == 0);
  CHECK(!client.ended);
  CHECK(!server.ended);

  // A nominating check with the new credentials from another address (the peer moved
  // networks) moves the selected pair there, and media follows it.
  RawChecker moved(loop);
  moved.SendCheck(server.socket.local_address(), "srv2:cli2", "server-password-second-gen", true);
  RunFor(loop, 50);
  CHECK(moved.stun_answers == 1);
  REQUIRE(server.selected);
  CHECK(*server.selected == moved.socket.local_address());
  CHECK(*server.transport->selected_address() == moved.socket.local_address());
  CHECK(server.SendRtp(0x22222222, 200));
  RunFor(loop, 50);
  CHECK(moved.other_packets == 1);
  // The old credentials get nothing from anyone.
  moved.SendCheck(server.socket.local_address(), "srvU:cliU", "server-password-0123456789", true);
  RunFor(loop, 50);
  CHECK(moved.stun_answers == 1);
  client.transport.reset();
  server.transport.reset();
}

TEST_CASE("WebRtcTransport client mode measures the check round-trip time") {
  sctp::SctpLibrary::Ref sctp_library;
  net::Loop loop;
  auto client_cert = dtls::Certificate::Generate("client");
  auto server_cert = dtls::Certificate::Generate("server");
  Peer client(loop, *client_cert);
  Peer server(loop, *server_cert);
  auto configs = MakePairConfigs(*client_cert, *server_cert, server.socket.local_address());
  configs.client.consent_interval_ms = 20;
  server.Start(loop, configs.server);
  client.Start(loop, configs.client);
  CHECK_FALSE(client.transport->rtt_us());
  REQUIRE(RunUntil(loop, client, server, [&] { return client.connected && server.connected; }));
  // Several consent checks answered: a smoothed value, sane for loopback.
  const uint64_t answered = client.transport->checks_succeeded();
  REQUIRE(
      RunUntil(loop, client, server, [&] { return client.transport->checks_succeeded() >= answered + 5; }));
  REQUIRE(client.transport->rtt_us());
  CHECK(*client.transport->rtt_us() < 100'000);
  // The lite side sends no checks, so it has nothing to time.
  CHECK_FALSE(server.transport->rtt_us());
  CHECK(client.drops.Get(TransportDrop::kStunUnknownTransaction) == 0);
}

TEST_CASE("WebRtcTransport ICE-lite ends with kConsentExpired when the peer stops checking") {
  sctp::SctpLibrary::Ref sctp_library;
  net::Loop loop;
  auto client_cert = dtls::Certificate::Generate("client");
  auto server_cert = dtls::Certificate::Generate("server");
  Peer client(loop, *client_cert);
  Peer server(loop, *server_cert);
  auto configs = MakePairConfigs(*client_cert, *server_cert, server.socket.local_address());
  configs.server.consent_timeout_ms = 500;
  configs.client.consent_interval_ms = 20;
  // The server's consent runs on a clock the test moves; checks still cross the real loop.
  base::ManualClock clock;
  server.Start(loop, configs.server, &clock);
  client.Start(loop, configs.client);
  REQUIRE(RunUntil(loop, client, server, [&] { return client.connected && server.connected; }));

  // While the client checks, every check renews consent: 1.2 s pass in 400 ms steps, each
  // under the 500 ms limit counted from the check before it.
  for (int i = 0; i < 3; ++i) {
    const uint64_t answered = server.transport->checks_succeeded();
    REQUIRE(RunUntil(loop, client, server, [&] { return server.transport->checks_succeeded() > answered; }));
    clock.AdvanceMs(400);
    server.transport->OnSlowTick(clock.NowMs());
    CHECK(!server.ended);
  }

  // The client goes quiet (nothing ticks it or runs the loop): consent lapses 500 ms after
  // its last check, not before.
  clock.AdvanceMs(100);
  server.transport->OnSlowTick(clock.NowMs());
  CHECK(!server.ended);
  clock.AdvanceMs(1);
  server.transport->OnSlowTick(clock.NowMs());
  REQUIRE(server.ended);
  CHECK(*server.ended == TransportEnd::kConsentExpired);
  CHECK(server.transport->state() == TransportState::kClosed);
  // Once ended, checks are ignored (and the end is reported once).
  server.ended.reset();
  server.transport->OnSlowTick(clock.NowMs() + 1000);
  CHECK(!server.ended);
}
