#include "tests/edge/ViewerPeer.hpp"

#include "core/ice/IceCredentials.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/net/TcpConnection.hpp"
#include "core/sdp/SdpParser.hpp"
#include "tools/loadgen/SdpOffer.hpp"

namespace cascade::edge::test {

ViewerPeer::ViewerPeer(net::Loop& loop)
    : loop_(loop),
      certificate_(dtls::Certificate::Generate("viewer")),
      dtls_context_(std::make_unique<dtls::DtlsContext>(*certificate_)),
      socket_(std::make_unique<net::UdpSocket>(loop, this, *net::SocketAddress::Parse("127.0.0.1", 0))),
      ice_ufrag_(ice::RandomUfrag()),
      ice_pwd_(ice::RandomPassword()) {}

ViewerPeer::~ViewerPeer() {
  fast_timer_.reset();
  slow_timer_.reset();
  transport_.reset();  // unbinds from the connection before it goes
  tcp_.reset();
}

std::string ViewerPeer::Offer() const {
  loadgen::OfferParams params;
  params.publish = false;
  params.ice_ufrag = ice_ufrag_;
  params.ice_pwd = ice_pwd_;
  params.fingerprint = certificate_->fingerprint();
  params.candidate = socket_->local_address();
  return loadgen::BuildOffer(params);
}

std::string ViewerPeer::Start(const std::string& answer_sdp, bool over_tcp) {
  std::string error;
  auto answer = loadgen::ParseAnswer(answer_sdp, error);
  if (!answer) return error;
  transport::WebRtcTransportConfig config;
  config.local_ufrag = ice_ufrag_;
  config.local_pwd = ice_pwd_;
  config.remote_ufrag = answer->ice_ufrag;
  config.remote_pwd = answer->ice_pwd;
  config.remote_fingerprint = answer->fingerprint;
  config.dtls_role = answer->our_dtls_role;
  config.ice_controlling = true;
  config.consent_interval_ms = 100;  // restarts are confirmed within a test's patience
  std::optional<net::SocketAddress> tcp_candidate;
  if (over_tcp) {
    auto sdp = sdp::ParseSdp(answer_sdp);
    for (const auto& media : sdp->media) {
      for (const auto& c : media.candidates) {
        if (!tcp_candidate && sdp::EqualsIgnoreCase(c.transport, "tcp") && c.tcp_type == "passive") {
          tcp_candidate = net::SocketAddress::Parse(c.address, c.port);
        }
      }
    }
    if (!tcp_candidate) return "answer has no passive TCP candidate";
  } else {
    config.remote_address = answer->candidate;
  }
  transport_ = std::make_unique<transport::WebRtcTransport>(*socket_, *dtls_context_, loop_.clock(), config,
                                                            this, &drops_);
  fast_timer_ = std::make_unique<net::Timer>(loop_, [this] { transport_->OnFastTick(); });
  fast_timer_->Start(10, 10);
  slow_timer_ =
      std::make_unique<net::Timer>(loop_, [this] { transport_->OnSlowTick(loop_.clock().NowMs()); });
  slow_timer_->Start(100, 100);
  if (tcp_candidate) {
    net::TcpConnection::Connect(
        loop_, *tcp_candidate, [this](std::unique_ptr<net::TcpConnection> connection, int status) {
          if (status != 0 || !transport_) return;
          transport::IceTcpConnection::Sink* owner = this;
          tcp_ = std::make_unique<transport::IceTcpConnection>(std::move(connection), owner);
          transport_->UseTcpConnection(*tcp_);
        });
  }
  return "";
}

std::string ViewerPeer::BeginIceRestart() {
  next_ufrag_ = ice::RandomUfrag();
  next_pwd_ = ice::RandomPassword();
  return "a=ice-ufrag:" + next_ufrag_ + "\r\na=ice-pwd:" + next_pwd_ +
         "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
         "a=candidate:1 1 udp 2122260223 " +
         socket_->local_address().ip() + " " + std::to_string(socket_->local_address().port()) +
         " typ host\r\na=end-of-candidates\r\n";
}

void ViewerPeer::CompleteIceRestart(const std::string& remote_ufrag, const std::string& remote_pwd) {
  ice_ufrag_ = next_ufrag_;
  ice_pwd_ = next_pwd_;
  transport_->RestartIce(ice_ufrag_, ice_pwd_, remote_ufrag, remote_pwd);
}

std::string ViewerPeer::TrickleFragment() const {
  return "a=ice-ufrag:" + ice_ufrag_ + "\r\na=ice-pwd:" + ice_pwd_ +
         "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
         "a=candidate:2 1 udp 2122260223 192.0.2.1 61764 typ host\r\n";
}

void ViewerPeer::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data, const net::SocketAddress& from) {
  if (!transport_) return;
  switch (ice::PacketDemux::Classify(data)) {
    case ice::PacketKind::kStun: {
      auto message = ice::StunMessage::Parse(data);
      if (message.ok()) transport_->ReceiveStun(*message, from);
      break;
    }
    case ice::PacketKind::kDtls: transport_->ReceiveDtls(data, from); break;
    case ice::PacketKind::kRtp: transport_->ReceiveRtp(data, from); break;
    case ice::PacketKind::kRtcp: transport_->ReceiveRtcp(data, from); break;
    default: break;
  }
}

}  // namespace cascade::edge::test
