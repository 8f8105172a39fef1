#pragma once
// A WHEP viewer on our own WebRTC stack (WebRtcTransport in client mode: ICE controlling,
// DTLS client), over UDP or over ICE-TCP to the edge's passive candidate, that can restart
// ICE the way a WHIP/WHEP client does after a PATCH. Counts the RTP it decrypts.
#include <memory>
#include <optional>
#include <string>

#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "core/net/UdpSocket.hpp"
#include "core/transport/IceTcpConnection.hpp"
#include "core/transport/WebRtcTransport.hpp"

namespace cascade::edge::test {

class ViewerPeer : public net::UdpSocket::Listener,
                   public transport::WebRtcTransport::Listener,
                   public transport::IceTcpConnection::Sink {
 public:
  explicit ViewerPeer(net::Loop& loop);
  ~ViewerPeer() override;

  std::string Offer() const;
  // Takes the 201 answer. Over TCP the peer connects to the answer's passive TCP candidate
  // and sends its checks there only. Returns what is wrong, or an empty string.
  std::string Start(const std::string& answer_sdp, bool over_tcp);
  // RFC 8445 §9 from our side, in the order of RFC 9725 §4.3.1: pick fresh credentials and
  // PATCH them (the body returned here), then restart with the edge's from its 200.
  std::string BeginIceRestart();
  void CompleteIceRestart(const std::string& remote_ufrag, const std::string& remote_pwd);
  // A trickle body: our current credentials and one (made up) host candidate.
  std::string TrickleFragment() const;

  const std::string& ice_ufrag() const { return ice_ufrag_; }
  const std::string& ice_pwd() const { return ice_pwd_; }
  bool connected() const { return connected_; }
  std::optional<transport::TransportEnd> ended() const { return ended_; }
  uint64_t rtp_packets() const { return rtp_packets_; }
  transport::WebRtcTransport* transport() { return transport_.get(); }
  transport::IceTcpConnection* tcp_connection() { return tcp_.get(); }
  bool tcp_closed() const { return tcp_closed_; }
  const base::EnumCounters<transport::TransportDrop>& drops() const { return drops_; }

  // net::UdpSocket::Listener
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override;
  // transport::WebRtcTransport::Listener
  void OnWebRtcTransportAddressSelected(transport::WebRtcTransport*, const net::SocketAddress&) override {}
  void OnWebRtcTransportConnected(transport::WebRtcTransport*) override { connected_ = true; }
  void OnWebRtcTransportRtp(transport::WebRtcTransport*, rtp::RtpPacket&) override { ++rtp_packets_; }
  void OnWebRtcTransportRtcp(transport::WebRtcTransport*, std::span<const uint8_t>) override {}
  void OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport*, const sctp::DataChannel&) override {}
  void OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport*, uint16_t,
                                           sctp::DataChannelMessageType, std::span<const uint8_t>) override {}
  void OnWebRtcTransportEnded(transport::WebRtcTransport*, transport::TransportEnd reason) override {
    ended_ = reason;
  }
  // transport::IceTcpConnection::Sink (the transport binds the connection at once: only the
  // close reaches us)
  void OnIceTcpPacket(transport::IceTcpConnection*, std::span<uint8_t>) override {}
  void OnIceTcpConnectionClosed(transport::IceTcpConnection*) override { tcp_closed_ = true; }

 private:
  net::Loop& loop_;
  std::unique_ptr<dtls::Certificate> certificate_;
  std::unique_ptr<dtls::DtlsContext> dtls_context_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::string ice_ufrag_;
  std::string ice_pwd_;
  std::string next_ufrag_;  // chosen by BeginIceRestart
  std::string next_pwd_;
  base::EnumCounters<transport::TransportDrop> drops_;
  std::unique_ptr<transport::IceTcpConnection> tcp_;
  std::unique_ptr<transport::WebRtcTransport> transport_;
  std::unique_ptr<net::Timer> fast_timer_;
  std::unique_ptr<net::Timer> slow_timer_;
  bool connected_ = false;
  bool tcp_closed_ = false;
  uint64_t rtp_packets_ = 0;
  std::optional<transport::TransportEnd> ended_;
};

}  // namespace cascade::edge::test
