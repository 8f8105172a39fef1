#pragma once
// One WebRTC peer on a shared UDP port: ICE-lite (RFC 8445 §2.5) with consent freshness
// (RFC 7675), DTLS (RFC 6347) giving SRTP keys (RFC 5764) and an SCTP association for data
// channels (RFC 8261/8831). The edge runs one per browser; relay links reuse it.
//
// Client mode (ice_controlling): instead of answering checks, the transport sends them to
// `remote_address` (the peer's host candidate) every 50 ms until one succeeds, nominating
// that pair (USE-CANDIDATE), then starts DTLS and keeps consent alive with a check every
// ~2 s (RFC 7675 §5.1), timing every answered check for rtt_us(). The load generator and
// tests use it; the edge never sets it.
//
// The owner demultiplexes datagrams of the shared port (by ICE ufrag for STUN, by 5-tuple
// for the rest) and hands them in; outgoing packets go straight into the socket's send
// queue, encrypted in place, so a forwarded packet costs one copy and one encryption.
//
// ICE-TCP (RFC 6544): the same transport also runs over TCP connections (IceTcpConnection,
// accepted by an IceTcpServer, or connected by a client). An authenticated check arriving on
// one binds the connection to the transport; if ICE selects it, every packet goes there,
// framed (RFC 4571), instead of into the UDP socket. The choice is one PacketPath pointer, so
// the UDP path costs one virtual call more than a direct socket write and nothing else.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/base/Clock.hpp"
#include "core/base/EnumCounters.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/dtls/DtlsTransport.hpp"
#include "core/dtls/Fingerprint.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/net/UdpSocket.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "core/sctp/SctpAssociation.hpp"
#include "core/srtp/SrtpSession.hpp"
#include "core/transport/IceTcpConnection.hpp"
#include "core/transport/PacketPath.hpp"

namespace cascade::transport {

enum class TransportState : uint8_t { kWaitingForIce, kConnecting, kConnected, kClosed };
const char* ToString(TransportState state);

// Why a transport ended.
enum class TransportEnd : uint8_t { kClosedByOwner, kConsentExpired, kDtlsFailed, kDtlsClosed, kCount };
const char* ToString(TransportEnd reason);

// Packets a transport dropped, by reason (the owner registers these as metrics).
enum class TransportDrop : uint8_t {
  kStunBadIntegrity,
  kStunBadFingerprint,
  kStunWrongUsername,
  kStunNotRequest,
  kStunUnknownTransaction,
  kSrtpFailed,
  kSrtcpFailed,
  kRtpMalformed,
  kBeforeKeys,
  kStunOldCredentials,  // a check with the credentials an ICE restart replaced
  kStunMalformed,       // a STUN packet on an ICE-TCP connection that does not parse
  kTcpConnectionLimit,  // a check on one ICE-TCP connection too many
  kCount
};
const char* ToString(TransportDrop drop);

struct WebRtcTransportConfig {
  std::string local_ufrag;
  std::string local_pwd;
  std::string remote_ufrag;
  std::string remote_pwd;
  dtls::Fingerprint remote_fingerprint;
  dtls::DtlsRole dtls_role = dtls::DtlsRole::kServer;
  bool data_channels = false;
  uint32_t remote_max_message_size = 65536;
  // RFC 7675 §5.1: consent expires 30 s after the last authenticated check.
  uint64_t consent_timeout_ms = 30000;
  // Client mode: we are the controlling agent and send checks to remote_address.
  bool ice_controlling = false;
  std::optional<net::SocketAddress> remote_address;
  uint32_t ice_priority = 2130706431;   // our host candidate's priority (RFC 8445 §5.1.2.1)
  uint64_t check_interval_ms = 50;      // until the first success
  uint64_t consent_interval_ms = 2000;  // RFC 7675 §5.1: 4-6 s randomised; shorter is allowed
};

class WebRtcTransport : public dtls::DtlsTransport::Listener,
                        public sctp::SctpAssociation::Listener,
                        private IceTcpConnection::Sink {
 public:
  // ICE-TCP connections one transport keeps bound at once (a browser opens one per local
  // address family and interface it pairs with our passive candidate).
  static constexpr size_t kMaxTcpConnections = 4;

  class Listener {
   public:
    virtual ~Listener() = default;
    // ICE selected a 5-tuple; the owner routes that address to this transport from now on.
    virtual void OnWebRtcTransportAddressSelected(WebRtcTransport* transport,
                                                  const net::SocketAddress& address) = 0;
    // ICE selected an ICE-TCP connection (already bound to this transport, whose packets
    // reach it directly): nothing to route, for the owner's logs and metrics.
    virtual void OnWebRtcTransportTcpSelected(WebRtcTransport*, IceTcpConnection*) {}
    virtual void OnWebRtcTransportConnected(WebRtcTransport* transport) = 0;
    // Decrypted RTP, parsed; the packet lives in the receive buffer and may be changed in place.
    virtual void OnWebRtcTransportRtp(WebRtcTransport* transport, rtp::RtpPacket& packet) = 0;
    // Decrypted RTCP compound packet.
    virtual void OnWebRtcTransportRtcp(WebRtcTransport* transport, std::span<const uint8_t> compound) = 0;
    virtual void OnWebRtcTransportDataChannelOpened(WebRtcTransport* transport,
                                                    const sctp::DataChannel& channel) = 0;
    virtual void OnWebRtcTransportDataChannelMessage(WebRtcTransport* transport, uint16_t stream_id,
                                                     sctp::DataChannelMessageType type,
                                                     std::span<const uint8_t> data) = 0;
    // The transport is over; the owner should destroy it (not from inside this call).
    virtual void OnWebRtcTransportEnded(WebRtcTransport* transport, TransportEnd reason) = 0;
  };

  WebRtcTransport(net::UdpSocket& socket, dtls::DtlsContext& dtls_context, const base::Clock& clock,
                  WebRtcTransportConfig config, Listener* listener, base::EnumCounters<TransportDrop>* drops);
  ~WebRtcTransport() override;
  WebRtcTransport(const WebRtcTransport&) = delete;
  WebRtcTransport& operator=(const WebRtcTransport&) = delete;

  // Demultiplexed input from the shared port. Binding requests are answered (ICE-lite
  // responder); success responses are taken only in client mode (ice_controlling).
  void ReceiveStun(const ice::StunMessage& message, const net::SocketAddress& from);
  // Any datagram of this peer, classified (RFC 7983) and handed to the matching Receive*:
  // for owners whose socket serves this one transport (clients, test peers).
  void ReceiveDatagram(std::span<uint8_t> datagram, const net::SocketAddress& from);
  void ReceiveDtls(std::span<const uint8_t> datagram, const net::SocketAddress& from);
  void ReceiveRtp(std::span<uint8_t> datagram, const net::SocketAddress& from);
  void ReceiveRtcp(std::span<uint8_t> datagram, const net::SocketAddress& from);

  // A STUN message that arrived on an ICE-TCP connection no transport has bound yet (the
  // owner found us by the ufrag in USERNAME). An authenticated check is answered on that
  // connection and binds it to this transport: its packets come here directly from then on,
  // until it closes or this transport is destroyed (which closes it).
  void ReceiveStun(const ice::StunMessage& message, IceTcpConnection& connection);

  // Client mode over ICE-TCP: checks go on `connection` (connected by the caller to the
  // peer's passive candidate) instead of to remote_address. Binds the connection; false when
  // it is closed or bound to someone else.
  bool UseTcpConnection(IceTcpConnection& connection);

  // ICE restart (RFC 8445 §9; WHIP/WHEP PATCH, RFC 9725 §4.3). From now on only checks with
  // the new credentials are answered (those with the old ones are dropped and counted as
  // kStunOldCredentials) and, in client mode, checks are sent with them and nominate again.
  // DTLS, SRTP and SCTP carry on untouched: an ICE restart does not restart DTLS. Media keeps
  // using the selected pair until a check on the new credentials selects another (the
  // controlling peer's USE-CANDIDATE, or in client mode the first success).
  //
  // The owner demultiplexes STUN by local ufrag: it must re-key its map from the old
  // local_ufrag() (read it before this call) to the new one.
  void RestartIce(std::string local_ufrag, std::string local_pwd, std::string remote_ufrag,
                  std::string remote_pwd);

  // Outgoing media: write the plaintext packet into the span (room is left for the SRTP
  // trailer), then commit it; the packet is encrypted in place and queued. Empty span: the
  // transport cannot send now (not connected, or the path's queue is full).
  std::span<uint8_t> BeginSend();
  bool CommitRtp(size_t length);
  bool CommitRtcp(size_t length);

  // Opens a data channel on the association (DCEP, RFC 8832); its stream id, or nullopt when
  // data channels are off or the association refuses.
  std::optional<uint16_t> OpenDataChannel(const sctp::DataChannelParams& params);
  bool SendDataChannelMessage(uint16_t stream_id, sctp::DataChannelMessageType type,
                              std::span<const uint8_t> data);

  // Timers: call about every 10 ms (DTLS retransmissions, client checks) and once a second
  // (consent).
  void OnFastTick();
  void OnSlowTick(uint64_t now_ms);
  void Close();

  TransportState state() const { return state_; }
  const std::string& local_ufrag() const { return config_.local_ufrag; }
  // The UDP address ICE selected last, which the owner routes to us. It stays set while an
  // ICE-TCP connection carries the packets (selected_tcp_connection()).
  const std::optional<net::SocketAddress>& selected_address() const { return selected_; }
  IceTcpConnection* selected_tcp_connection() const { return selected_tcp_; }
  uint64_t rtp_packets_sent() const { return rtp_packets_sent_; }
  uint64_t rtp_packets_received() const { return rtp_packets_received_; }
  // Checks that succeeded: the requests we answered, and in client mode our checks that got
  // an authenticated success response.
  uint64_t checks_succeeded() const { return checks_succeeded_; }
  // Client mode: smoothed round-trip time of our checks (RFC 6298 §2 estimator over the
  // request -> success response time); nullopt until the first answer.
  std::optional<uint64_t> rtt_us() const { return srtt_us_; }

  // dtls::DtlsTransport::Listener
  void OnDtlsTransportSendData(dtls::DtlsTransport* transport, std::span<const uint8_t> datagram) override;
  void OnDtlsTransportConnected(dtls::DtlsTransport* transport, const srtp::SrtpKeyMaterial& keys) override;
  void OnDtlsTransportApplicationData(dtls::DtlsTransport* transport, std::span<const uint8_t> data) override;
  void OnDtlsTransportFailed(dtls::DtlsTransport* transport, dtls::DtlsFailure reason) override;
  void OnDtlsTransportClosed(dtls::DtlsTransport* transport) override;

  // sctp::SctpAssociation::Listener
  void OnSctpAssociationSendPacket(sctp::SctpAssociation* association,
                                   std::span<const uint8_t> packet) override;
  void OnSctpAssociationConnected(sctp::SctpAssociation* association) override;
  void OnSctpAssociationClosed(sctp::SctpAssociation* association) override;
  void OnSctpAssociationDataChannelOpened(sctp::SctpAssociation* association,
                                          const sctp::DataChannel& channel) override;
  void OnSctpAssociationMessage(sctp::SctpAssociation* association, uint16_t stream_id,
                                sctp::DataChannelMessageType type, std::span<const uint8_t> data) override;
  void OnSctpAssociationDataChannelClosed(sctp::SctpAssociation* association,
                                          const sctp::DataChannel& channel) override;

 private:
  struct PendingCheck {
    std::array<uint8_t, ice::kStunTransactionIdSize> id{};
    uint64_t sent_us = 0;
    bool waiting = false;
  };

  void Drop(TransportDrop reason);
  void End(TransportEnd reason);
  bool FromSelected(const net::SocketAddress& from) const {
    return path_ == &udp_path_ && selected_ && *selected_ == from;
  }
  // Verifies a check (USERNAME, FINGERPRINT, MESSAGE-INTEGRITY) and answers it on `reply`;
  // false when it failed (counted) or the answer could not be queued.
  bool AnswerCheck(const ice::StunMessage& request, const net::SocketAddress& from, PacketPath& reply);
  // After an answered or answering check: consent, then DTLS once ICE has a pair.
  void OnCheckSucceeded();
  void SelectUdp(const net::SocketAddress& address);
  void SelectTcp(IceTcpConnection& connection);
  bool BindTcp(IceTcpConnection& connection);
  void UnprotectRtp(std::span<uint8_t> packet);
  void UnprotectRtcp(std::span<uint8_t> packet);
  // Client mode: `via_tcp` is the connection the response came on, or null for UDP.
  void ReceiveBindingSuccess(const ice::StunMessage& response, const net::SocketAddress* from,
                             IceTcpConnection* via_tcp);
  void UpdateRtt(uint64_t sample_us);
  void SendCheck(uint64_t now_ms);

  // IceTcpConnection::Sink, for connections bound to us.
  void OnIceTcpPacket(IceTcpConnection* connection, std::span<uint8_t> packet) override;
  void OnIceTcpConnectionClosed(IceTcpConnection* connection) override;

  net::UdpSocket& socket_;
  const base::Clock& clock_;
  WebRtcTransportConfig config_;
  Listener* listener_;                        // passed by argument
  base::EnumCounters<TransportDrop>* drops_;  // passed by argument, shared by the node
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::SrtpSession> srtp_;
  std::unique_ptr<sctp::SctpAssociation> sctp_;
  std::optional<net::SocketAddress> selected_;
  // Where packets go: &udp_path_ (towards selected_), selected_tcp_, or null before ICE
  // selects a pair (and after a selected ICE-TCP connection closed).
  PacketPath* path_ = nullptr;
  UdpPacketPath udp_path_;
  IceTcpConnection* selected_tcp_ = nullptr;
  std::vector<IceTcpConnection*> tcp_connections_;  // bound to us; at most kMaxTcpConnections
  // USERNAME of checks before the last ICE restart, to count them apart from strangers.
  std::string previous_username_;
  uint64_t checks_succeeded_ = 0;
  TransportState state_ = TransportState::kWaitingForIce;
  uint64_t last_consent_ms_ = 0;
  size_t pending_length_ = 0;
  bool ended_ = false;
  uint64_t rtp_packets_sent_ = 0;
  uint64_t rtp_packets_received_ = 0;
  // Client mode: the checks still awaiting an answer (a small ring: an answer older than the
  // last few checks no longer matters), with their send times for the RTT.
  static constexpr size_t kPendingChecks = 8;
  std::array<PendingCheck, kPendingChecks> pending_checks_{};
  size_t next_check_slot_ = 0;
  uint64_t last_check_sent_ms_ = 0;
  uint64_t tiebreaker_ = 0;
  bool nominated_ = false;                  // a check with USE-CANDIDATE succeeded (since the last restart)
  IceTcpConnection* client_tcp_ = nullptr;  // checks go here instead of to remote_address
  std::optional<uint64_t> srtt_us_;
  uint64_t rttvar_us_ = 0;
};

}  // namespace cascade::transport
