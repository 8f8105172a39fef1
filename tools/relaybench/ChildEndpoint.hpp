#pragma once
// A lightweight child node inside the bench process: it registers with control like a
// media node (a NodeHello with its own UDP media address and the bench's DTLS certificate
// fingerprint), answers AttachStream by opening the child end of a link to the parent the
// way media/MediaPlane does (ICE controlling with control's credentials, DTLS client, SCTP
// with the `cascade-link` channel opened once connected), and reports every RTP packet it
// receives instead of forwarding it. Each endpoint has its own socket, so a parent sees one
// peer address per child, as with real nodes.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "control/client/ControlClient.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/net/Loop.hpp"
#include "core/net/UdpSocket.hpp"
#include "core/transport/WebRtcTransport.hpp"

namespace cascade::relaybench {

class ChildEndpoint : public net::UdpSocket::Listener,
                      public transport::WebRtcTransport::Listener,
                      public control::ControlClient::Listener {
 public:
  // (ssrc, sequence number, arrival time in steady-clock µs) of each decrypted RTP packet.
  using RtpSink = std::function<void(uint32_t ssrc, uint16_t sequence_number, uint64_t now_us)>;

  // `dtls_context` holds the certificate whose fingerprint is `fingerprint` (both passed by
  // argument, shared by every endpoint of the bench).
  ChildEndpoint(net::Loop& loop, dtls::DtlsContext& dtls_context, const dtls::Fingerprint& fingerprint,
                std::string node_id, const net::SocketAddress& control_address,
                const dtls::Fingerprint& control_fingerprint, RtpSink sink);
  ~ChildEndpoint() override;
  ChildEndpoint(const ChildEndpoint&) = delete;
  ChildEndpoint& operator=(const ChildEndpoint&) = delete;

  void Start();  // connects to control
  void OnFastTick();
  void OnSlowTick(uint64_t now_ms);

  const std::string& node_id() const { return node_id_; }
  const net::SocketAddress& media_address() const { return socket_->local_address(); }
  bool registered() const { return control_->registered(); }
  bool attached() const { return transport_ != nullptr; }
  bool connected() const { return connected_us_ != 0; }
  bool channel_open() const { return channel_open_; }
  std::optional<transport::TransportEnd> ended() const { return ended_; }
  uint64_t rtp_packets() const { return rtp_packets_; }
  uint64_t announces() const { return announces_; }
  uint64_t first_rtp_us() const { return first_rtp_us_; }
  const std::string& error() const { return error_; }

  // net::UdpSocket::Listener
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override;

  // transport::WebRtcTransport::Listener
  void OnWebRtcTransportAddressSelected(transport::WebRtcTransport* transport,
                                        const net::SocketAddress& address) override;
  void OnWebRtcTransportConnected(transport::WebRtcTransport* transport) override;
  void OnWebRtcTransportRtp(transport::WebRtcTransport* transport, rtp::RtpPacket& packet) override;
  void OnWebRtcTransportRtcp(transport::WebRtcTransport* transport,
                             std::span<const uint8_t> compound) override;
  void OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport* transport,
                                          const sctp::DataChannel& channel) override;
  void OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport* transport, uint16_t stream_id,
                                           sctp::DataChannelMessageType type,
                                           std::span<const uint8_t> data) override;
  void OnWebRtcTransportEnded(transport::WebRtcTransport* transport, transport::TransportEnd reason) override;

  // control::ControlClient::Listener
  void OnControlClientRegistered(const control::HelloAck& ack) override;
  void OnControlClientCommand(const control::ControlMessage& command,
                              control::CommandResult& result) override;
  control::NodeLoad OnControlClientLoadRequested() override;

 private:
  void Attach(const control::AttachStream& command);

  net::Loop& loop_;
  dtls::DtlsContext& dtls_context_;  // passed by argument
  std::string node_id_;
  RtpSink sink_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<control::ControlClient> control_;
  std::unique_ptr<transport::WebRtcTransport> transport_;
  base::EnumCounters<transport::TransportDrop> drops_;
  std::string parent_;
  std::optional<uint16_t> channel_;
  bool channel_open_ = false;
  uint64_t connected_us_ = 0;
  uint64_t first_rtp_us_ = 0;
  uint64_t rtp_packets_ = 0;
  uint64_t announces_ = 0;
  std::optional<transport::TransportEnd> ended_;
  std::string error_;
};

}  // namespace cascade::relaybench
