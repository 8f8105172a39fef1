#pragma once
// Shared by the transport tests: one WebRtcTransport endpoint on its own loopback socket, a
// loop runner that ticks two of them, and matching client/server configurations.
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/base/Clock.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "core/net/UdpSocket.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "core/srtp/SrtpSession.hpp"
#include "core/transport/WebRtcTransport.hpp"

namespace cascade::transport::test {

// One endpoint on its own loopback socket: routes every datagram to its transport and
// records what the transport reports.
struct Peer : net::UdpSocket::Listener, WebRtcTransport::Listener {
  Peer(net::Loop& loop, const dtls::Certificate& certificate)
      : context(certificate),
        socket(loop, this, *net::SocketAddress::Parse("127.0.0.1", 0),
               net::UdpSocket::Options{256, 1 << 20}) {}

  // `clock`: the loop's clock unless a test drives time itself.
  void Start(net::Loop& loop, WebRtcTransportConfig config, const base::Clock* clock = nullptr) {
    transport = std::make_unique<WebRtcTransport>(socket, context, clock ? *clock : loop.clock(),
                                                  std::move(config), this, &drops);
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
  void OnWebRtcTransportTcpSelected(WebRtcTransport*, IceTcpConnection* connection) override {
    tcp_selected = connection;
  }
  void OnWebRtcTransportConnected(WebRtcTransport*) override {
    connected = true;
    ++connected_count;
  }
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
  IceTcpConnection* tcp_selected = nullptr;
  bool connected = false;
  int connected_count = 0;
  std::vector<uint32_t> rtp_ssrcs;
  std::string opened_label;
  uint16_t opened_stream = 0;
  std::vector<std::string> messages;
  std::optional<TransportEnd> ended;
};

// Runs the loop, ticking both transports every 10 ms, until `done` or `timeout_ms`.
template <typename Done>
inline bool RunUntil(net::Loop& loop, Peer& a, Peer& b, Done done, uint64_t timeout_ms = 5000) {
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

// The edge's side (ICE-lite, DTLS server) and the load generator's (controlling, DTLS client),
// with matching credentials and fingerprints; the client checks `server_address`.
struct PairConfigs {
  WebRtcTransportConfig server;
  WebRtcTransportConfig client;
};

inline PairConfigs MakePairConfigs(const dtls::Certificate& client_cert, const dtls::Certificate& server_cert,
                                   const net::SocketAddress& server_address) {
  PairConfigs c;
  c.server.local_ufrag = "srvU";
  c.server.local_pwd = "server-password-0123456789";
  c.server.remote_ufrag = "cliU";
  c.server.remote_pwd = "client-password-0123456789";
  c.server.remote_fingerprint = client_cert.fingerprint();
  c.server.dtls_role = dtls::DtlsRole::kServer;
  c.server.data_channels = true;
  c.client.local_ufrag = c.server.remote_ufrag;
  c.client.local_pwd = c.server.remote_pwd;
  c.client.remote_ufrag = c.server.local_ufrag;
  c.client.remote_pwd = c.server.local_pwd;
  c.client.remote_fingerprint = server_cert.fingerprint();
  c.client.dtls_role = dtls::DtlsRole::kClient;
  c.client.data_channels = true;
  c.client.ice_controlling = true;
  c.client.remote_address = server_address;
  return c;
}

inline std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Runs the loop for `ms` without ticking any transport.
inline void RunFor(net::Loop& loop, uint64_t ms) {
  net::Timer stop(loop, [&] { loop.Stop(); });
  stop.Start(ms);
  loop.Run();
}

}  // namespace cascade::transport::test
