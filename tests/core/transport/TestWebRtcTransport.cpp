#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

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

using namespace cascade;
using namespace cascade::transport;

namespace {

// One endpoint on its own loopback socket: routes every datagram to its transport and
// records what the transport reports.
struct Peer : net::UdpSocket::Listener, WebRtcTransport::Listener {
  Peer(net::Loop& loop, const dtls::Certificate& certificate)
      : context(certificate),
        socket(loop, this, *net::SocketAddress::Parse("127.0.0.1", 0),
               net::UdpSocket::Options{256, 1 << 20}) {}

  void Start(net::Loop& loop, WebRtcTransportConfig config) {
    transport =
        std::make_unique<WebRtcTransport>(socket, context, loop.clock(), std::move(config), this, &drops);
  }

  void OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data, const net::SocketAddress& from) override {
    switch (ice::PacketDemux::Classify(data)) {
      case ice::PacketKind::kStun: {
        auto message = ice::StunMessage::Parse(data);
        if (message.ok()) transport->ReceiveStun(*message, from);
        break;
      }
      case ice::PacketKind::kDtls: transport->ReceiveDtls(data, from); break;
      case ice::PacketKind::kRtp: transport->ReceiveRtp(data, from); break;
      case ice::PacketKind::kRtcp: transport->ReceiveRtcp(data, from); break;
      default: break;
    }
  }

  void OnWebRtcTransportAddressSelected(WebRtcTransport*, const net::SocketAddress& address) override {
    selected = address;
  }
  void OnWebRtcTransportConnected(WebRtcTransport*) override { connected = true; }
  void OnWebRtcTransportRtp(WebRtcTransport*, rtp::RtpPacket& packet) override {
    rtp_ssrcs.push_back(packet.ssrc());
  }
  void OnWebRtcTransportRtcp(WebRtcTransport*, std::span<const uint8_t>) override {}
  void OnWebRtcTransportDataChannelOpened(WebRtcTransport*, const sctp::DataChannel& channel) override {
    opened_label = channel.label();
    opened_stream = channel.stream_id();
  }
  void OnWebRtcTransportDataChannelMessage(WebRtcTransport*, uint16_t, sctp::DataChannelMessageType,
                                           std::span<const uint8_t> data) override {
    messages.emplace_back(data.begin(), data.end());
  }
  void OnWebRtcTransportEnded(WebRtcTransport*, TransportEnd reason) override { ended = reason; }

  // Writes a minimal RTP packet (V=2, PT 96) and sends it through SRTP.
  bool SendRtp(uint32_t ssrc, uint16_t seq) {
    auto out = transport->BeginSend();
    if (out.size() < 12 + 100 + srtp::SrtpSession::kMaxRtpOverhead) return false;
    std::memset(out.data(), 0, 112);
    out[0] = 0x80;
    out[1] = 96;
    out[2] = static_cast<uint8_t>(seq >> 8);
    out[3] = static_cast<uint8_t>(seq);
    for (int i = 0; i < 4; ++i) out[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
    return transport->CommitRtp(112);
  }

  dtls::DtlsContext context;
  net::UdpSocket socket;
  base::EnumCounters<TransportDrop> drops;
  std::unique_ptr<WebRtcTransport> transport;
  std::optional<net::SocketAddress> selected;
  bool connected = false;
  std::vector<uint32_t> rtp_ssrcs;
  std::string opened_label;
  uint16_t opened_stream = 0;
  std::vector<std::string> messages;
  std::optional<TransportEnd> ended;
};

// Runs the loop, ticking both transports every 10 ms, until `done` or `timeout_ms`.
template <typename Done>
bool RunUntil(net::Loop& loop, Peer& a, Peer& b, Done done, uint64_t timeout_ms = 5000) {
  bool finished = false;
  uint64_t deadline = loop.clock().NowMs() + timeout_ms;
  net::Timer tick(loop, [&] {
    sctp::SctpLibrary::HandleTimers(sctp::SctpLibrary::kTimerIntervalMs);
    a.transport->OnFastTick();
    b.transport->OnFastTick();
    if (done() || loop.clock().NowMs() > deadline) {
      finished = done();
      loop.Stop();
    }
  });
  tick.Start(10, 10);
  loop.Run();
  return finished;
}

}  // namespace

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
