#include "core/transport/WebRtcTransport.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "core/base/Log.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunIntegrity.hpp"
#include "core/ice/StunMessageBuilder.hpp"
#include "core/ice/TransportAddress.hpp"

namespace cascade::transport {

const char* ToString(TransportState state) {
  switch (state) {
    case TransportState::kWaitingForIce: return "waiting_for_ice";
    case TransportState::kConnecting: return "connecting";
    case TransportState::kConnected: return "connected";
    case TransportState::kClosed: return "closed";
  }
  return "?";
}

const char* ToString(TransportEnd reason) {
  switch (reason) {
    case TransportEnd::kClosedByOwner: return "closed_by_owner";
    case TransportEnd::kConsentExpired: return "consent_expired";
    case TransportEnd::kDtlsFailed: return "dtls_failed";
    case TransportEnd::kDtlsClosed: return "dtls_closed";
    case TransportEnd::kCount: break;
  }
  return "?";
}

const char* ToString(TransportDrop drop) {
  switch (drop) {
    case TransportDrop::kStunBadIntegrity: return "stun_bad_integrity";
    case TransportDrop::kStunBadFingerprint: return "stun_bad_fingerprint";
    case TransportDrop::kStunWrongUsername: return "stun_wrong_username";
    case TransportDrop::kStunNotRequest: return "stun_not_request";
    case TransportDrop::kStunUnknownTransaction: return "stun_unknown_transaction";
    case TransportDrop::kSrtpFailed: return "srtp_failed";
    case TransportDrop::kSrtcpFailed: return "srtcp_failed";
    case TransportDrop::kRtpMalformed: return "rtp_malformed";
    case TransportDrop::kBeforeKeys: return "before_keys";
    case TransportDrop::kStunOldCredentials: return "stun_old_credentials";
    case TransportDrop::kStunMalformed: return "stun_malformed";
    case TransportDrop::kTcpConnectionLimit: return "tcp_connection_limit";
    case TransportDrop::kCount: break;
  }
  return "?";
}

WebRtcTransport::WebRtcTransport(net::UdpSocket& socket, dtls::DtlsContext& dtls_context,
                                 const base::Clock& clock, WebRtcTransportConfig config, Listener* listener,
                                 base::EnumCounters<TransportDrop>* drops)
    : socket_(socket),
      clock_(clock),
      config_(std::move(config)),
      listener_(listener),
      drops_(drops),
      udp_path_(socket) {
  dtls_ = std::make_unique<dtls::DtlsTransport>(dtls_context, this);
  last_consent_ms_ = clock_.NowMs();
  if (config_.ice_controlling) RAND_bytes(reinterpret_cast<uint8_t*>(&tiebreaker_), sizeof(tiebreaker_));
}

WebRtcTransport::~WebRtcTransport() {
  // The association sends its ABORT through us: tear it down before anything it uses.
  sctp_.reset();
  if (dtls_) dtls_->Close();
  // Nobody else reads these connections: close them (their owner destroys them).
  auto connections = std::move(tcp_connections_);
  path_ = nullptr;
  selected_tcp_ = nullptr;
  client_tcp_ = nullptr;
  for (IceTcpConnection* connection : connections) {
    connection->Unbind(this);
    connection->Close();
  }
}

void WebRtcTransport::Drop(TransportDrop reason) {
  if (drops_) drops_->Inc(reason);
}

void WebRtcTransport::ReceiveStun(const ice::StunMessage& message, const net::SocketAddress& from) {
  if (ended_) return;
  if (message.method() == ice::stun_method::kBinding) {
    if (message.message_class() == ice::StunClass::kRequest) {
      // Answered to where it came from, which need not be the selected address.
      UdpPacketPath reply(socket_);
      reply.set_destination(from);
      if (!AnswerCheck(message, from, reply)) return;
      // ICE-lite: the controlling peer nominates; until then the latest checked pair serves.
      if (!path_ || message.use_candidate()) SelectUdp(from);
      OnCheckSucceeded();
      return;
    }
    if (config_.ice_controlling && message.message_class() == ice::StunClass::kSuccessResponse) {
      ReceiveBindingSuccess(message, &from, nullptr);
      return;
    }
  }
  Drop(TransportDrop::kStunNotRequest);
}

void WebRtcTransport::ReceiveStun(const ice::StunMessage& message, IceTcpConnection& connection) {
  if (ended_ || connection.closed()) return;
  if (message.method() == ice::stun_method::kBinding) {
    if (message.message_class() == ice::StunClass::kRequest) {
      const bool bound = connection.bound() == this;
      if (!bound && tcp_connections_.size() >= kMaxTcpConnections) {
        Drop(TransportDrop::kTcpConnectionLimit);
        return;
      }
      if (!AnswerCheck(message, connection.peer(), connection)) return;
      // RFC 6544: a connection carries one candidate pair; an authenticated check makes it ours.
      if (!bound && !BindTcp(connection)) return;
      if (!path_ || message.use_candidate()) SelectTcp(connection);
      OnCheckSucceeded();
      return;
    }
    if (config_.ice_controlling && message.message_class() == ice::StunClass::kSuccessResponse) {
      ReceiveBindingSuccess(message, nullptr, &connection);
      return;
    }
  }
  Drop(TransportDrop::kStunNotRequest);
}

bool WebRtcTransport::AnswerCheck(const ice::StunMessage& request, const net::SocketAddress& from,
                                  PacketPath& reply) {
  // RFC 8445 §7.3: USERNAME is "our-ufrag:their-ufrag", keyed with our password.
  auto username = request.username();
  std::string expected = config_.local_ufrag + ":" + config_.remote_ufrag;
  if (!username || *username != expected) {
    const bool old = username && !previous_username_.empty() && *username == previous_username_;
    Drop(old ? TransportDrop::kStunOldCredentials : TransportDrop::kStunWrongUsername);
    return false;
  }
  if (request.has_fingerprint() && !request.VerifyFingerprint().ok()) {
    Drop(TransportDrop::kStunBadFingerprint);
    return false;
  }
  std::span<const uint8_t> key(reinterpret_cast<const uint8_t*>(config_.local_pwd.data()),
                               config_.local_pwd.size());
  if (!request.VerifyIntegrity(key).ok()) {
    Drop(TransportDrop::kStunBadIntegrity);
    return false;
  }
  sockaddr_storage storage{};
  std::memcpy(&storage, from.raw(), from.length());
  auto mapped = ice::TransportAddress::FromSockaddr(storage);
  if (!mapped) return false;
  auto slot = reply.PrepareSend();
  if (slot.empty()) return false;
  auto response = ice::StunMessageBuilder::BindingSuccess(slot, request.transaction_id(), *mapped, key);
  if (!response.ok()) return false;
  reply.CommitSend(response->size());
  return true;
}

void WebRtcTransport::OnCheckSucceeded() {
  ++checks_succeeded_;
  // RFC 7675 §5.1: an authenticated check (or its answer) refreshes consent.
  last_consent_ms_ = clock_.NowMs();
  if (state_ == TransportState::kWaitingForIce && path_) {
    state_ = TransportState::kConnecting;
    dtls_->Start(config_.dtls_role, config_.remote_fingerprint);
  }
}

void WebRtcTransport::SelectUdp(const net::SocketAddress& address) {
  const bool changed = !selected_ || !(*selected_ == address);
  selected_ = address;
  udp_path_.set_destination(address);
  path_ = &udp_path_;
  selected_tcp_ = nullptr;
  if (changed) listener_->OnWebRtcTransportAddressSelected(this, address);
}

void WebRtcTransport::SelectTcp(IceTcpConnection& connection) {
  if (selected_tcp_ == &connection) return;
  selected_tcp_ = &connection;
  path_ = &connection;
  listener_->OnWebRtcTransportTcpSelected(this, &connection);
}

bool WebRtcTransport::BindTcp(IceTcpConnection& connection) {
  if (connection.bound() == this) return true;
  if (tcp_connections_.size() >= kMaxTcpConnections || !connection.Bind(this)) return false;
  tcp_connections_.push_back(&connection);
  return true;
}

bool WebRtcTransport::UseTcpConnection(IceTcpConnection& connection) {
  if (ended_ || !BindTcp(connection)) return false;
  client_tcp_ = &connection;
  return true;
}

void WebRtcTransport::RestartIce(std::string local_ufrag, std::string local_pwd, std::string remote_ufrag,
                                 std::string remote_pwd) {
  previous_username_ = config_.local_ufrag + ":" + config_.remote_ufrag;
  config_.local_ufrag = std::move(local_ufrag);
  config_.local_pwd = std::move(local_pwd);
  config_.remote_ufrag = std::move(remote_ufrag);
  config_.remote_pwd = std::move(remote_pwd);
  // Client mode: answers to checks of the old generation no longer count, and the new one
  // starts checking (and nominating) at once.
  for (auto& check : pending_checks_) check.waiting = false;
  nominated_ = false;
  last_check_sent_ms_ = 0;
}

void WebRtcTransport::ReceiveBindingSuccess(const ice::StunMessage& response, const net::SocketAddress* from,
                                            IceTcpConnection* via_tcp) {
  // RFC 8445 §7.2.5.2: a success response must come from where the check went, answer one of
  // our transaction ids and carry MESSAGE-INTEGRITY keyed with the peer's password.
  const bool from_peer = client_tcp_ ? via_tcp == client_tcp_
                                     : (from && config_.remote_address && *from == *config_.remote_address);
  if (!from_peer) {
    Drop(TransportDrop::kStunUnknownTransaction);
    return;
  }
  auto id = response.transaction_id();
  PendingCheck* check = nullptr;
  for (auto& pending : pending_checks_) {
    if (pending.waiting && std::equal(pending.id.begin(), pending.id.end(), id.begin())) check = &pending;
  }
  if (!check) {
    Drop(TransportDrop::kStunUnknownTransaction);
    return;
  }
  if (response.has_fingerprint() && !response.VerifyFingerprint().ok()) {
    Drop(TransportDrop::kStunBadFingerprint);
    return;
  }
  if (!response.VerifyIntegrity(ice::StunIntegrity::ShortTermKey(config_.remote_pwd)).ok()) {
    Drop(TransportDrop::kStunBadIntegrity);
    return;
  }
  // Each check is answered once: a duplicate would skew the RTT.
  check->waiting = false;
  const uint64_t now_us = clock_.NowUs();
  UpdateRtt(now_us >= check->sent_us ? now_us - check->sent_us : 0);
  if (!nominated_) {
    // We nominated with USE-CANDIDATE in every check until now, so this pair is the one.
    nominated_ = true;
    if (via_tcp) {
      SelectTcp(*via_tcp);
    } else {
      SelectUdp(*from);
    }
  }
  OnCheckSucceeded();
}

void WebRtcTransport::UpdateRtt(uint64_t sample_us) {
  // RFC 6298 §2.2-2.3 with alpha = 1/8, beta = 1/4 (RTTVAR is kept for a future RTO).
  if (!srtt_us_) {
    srtt_us_ = sample_us;
    rttvar_us_ = sample_us / 2;
    return;
  }
  const uint64_t srtt = *srtt_us_;
  const uint64_t deviation = srtt > sample_us ? srtt - sample_us : sample_us - srtt;
  rttvar_us_ = (3 * rttvar_us_ + deviation) / 4;
  srtt_us_ = (7 * srtt + sample_us) / 8;
}

void WebRtcTransport::SendCheck(uint64_t now_ms) {
  // Without a TCP connection, checks go from the shared socket to the peer's address.
  UdpPacketPath udp(socket_);
  PacketPath* out = client_tcp_;
  if (!out) {
    udp.set_destination(*config_.remote_address);
    out = &udp;
  }
  auto slot = out->PrepareSend();
  if (slot.empty()) return;
  auto& check = pending_checks_[next_check_slot_];
  next_check_slot_ = (next_check_slot_ + 1) % kPendingChecks;
  RAND_bytes(check.id.data(), static_cast<int>(check.id.size()));
  // RFC 8445 §7.2.2: USERNAME "their-ufrag:our-ufrag", keyed with their password.
  std::string username = config_.remote_ufrag + ":" + config_.local_ufrag;
  ice::StunBindingRequestParams params{.transaction_id = check.id};
  params.username = username;
  params.key = ice::StunIntegrity::ShortTermKey(config_.remote_pwd);
  params.priority = config_.ice_priority;
  params.ice_controlling = tiebreaker_;
  // Aggressive nomination until a pair is nominated; consent checks (RFC 7675) need no flag.
  params.use_candidate = !nominated_;
  auto request = ice::StunMessageBuilder::BindingRequest(slot, params);
  if (!request.ok()) return;
  check.sent_us = clock_.NowUs();
  check.waiting = true;
  out->CommitSend(request->size());
  last_check_sent_ms_ = now_ms;
}

void WebRtcTransport::ReceiveDatagram(std::span<uint8_t> datagram, const net::SocketAddress& from) {
  switch (ice::PacketDemux::Classify(datagram)) {
    case ice::PacketKind::kStun: {
      auto message = ice::StunMessage::Parse(datagram);
      if (message.ok()) {
        ReceiveStun(*message, from);
      } else {
        Drop(TransportDrop::kStunMalformed);
      }
      break;
    }
    case ice::PacketKind::kDtls: ReceiveDtls(datagram, from); break;
    case ice::PacketKind::kRtp: ReceiveRtp(datagram, from); break;
    case ice::PacketKind::kRtcp: ReceiveRtcp(datagram, from); break;
    default: break;
  }
}

void WebRtcTransport::ReceiveDtls(std::span<const uint8_t> datagram, const net::SocketAddress& from) {
  if (ended_ || !FromSelected(from)) return;
  dtls_->ReceiveDatagram(datagram);
}

void WebRtcTransport::ReceiveRtp(std::span<uint8_t> datagram, const net::SocketAddress& from) {
  if (ended_ || !FromSelected(from)) return;
  UnprotectRtp(datagram);
}

void WebRtcTransport::ReceiveRtcp(std::span<uint8_t> datagram, const net::SocketAddress& from) {
  if (ended_ || !FromSelected(from)) return;
  UnprotectRtcp(datagram);
}

void WebRtcTransport::UnprotectRtp(std::span<uint8_t> packet) {
  if (!srtp_) {
    Drop(TransportDrop::kBeforeKeys);
    return;
  }
  auto length = srtp_->UnprotectRtp(packet, packet.size());
  if (!length.ok()) {
    Drop(TransportDrop::kSrtpFailed);
    return;
  }
  auto parsed = rtp::RtpPacket::Parse(packet.first(*length));
  if (!parsed.ok()) {
    Drop(TransportDrop::kRtpMalformed);
    return;
  }
  ++rtp_packets_received_;
  listener_->OnWebRtcTransportRtp(this, *parsed);
}

void WebRtcTransport::UnprotectRtcp(std::span<uint8_t> packet) {
  if (!srtp_) {
    Drop(TransportDrop::kBeforeKeys);
    return;
  }
  auto length = srtp_->UnprotectRtcp(packet, packet.size());
  if (!length.ok()) {
    Drop(TransportDrop::kSrtcpFailed);
    return;
  }
  listener_->OnWebRtcTransportRtcp(this, packet.first(*length));
}

void WebRtcTransport::OnIceTcpPacket(IceTcpConnection* connection, std::span<uint8_t> packet) {
  if (ended_) return;
  switch (ice::PacketDemux::Classify(packet)) {
    case ice::PacketKind::kStun: {
      // On UDP the owner parses (it needs the ufrag); a bound connection comes straight here.
      auto message = ice::StunMessage::Parse(packet);
      if (!message.ok()) {
        Drop(TransportDrop::kStunMalformed);
        return;
      }
      ReceiveStun(*message, *connection);
      return;
    }
    // Like UDP: media and DTLS only from the selected pair.
    case ice::PacketKind::kDtls:
      if (connection == selected_tcp_) dtls_->ReceiveDatagram(packet);
      return;
    case ice::PacketKind::kRtp:
      if (connection == selected_tcp_) UnprotectRtp(packet);
      return;
    case ice::PacketKind::kRtcp:
      if (connection == selected_tcp_) UnprotectRtcp(packet);
      return;
    default: return;  // the framer lets only these four kinds through
  }
}

void WebRtcTransport::OnIceTcpConnectionClosed(IceTcpConnection* connection) {
  std::erase(tcp_connections_, connection);
  if (client_tcp_ == connection) client_tcp_ = nullptr;
  if (selected_tcp_ == connection) {
    // The selected pair failed. Nothing is selected until a new check arrives; consent
    // expiry ends the transport if none does.
    selected_tcp_ = nullptr;
    path_ = nullptr;
  }
}

std::span<uint8_t> WebRtcTransport::BeginSend() {
  if (ended_ || !srtp_ || !path_) return {};
  return path_->PrepareSend();
}

bool WebRtcTransport::CommitRtp(size_t length) {
  if (!path_) return false;
  auto slot = path_->PrepareSend();  // the same span BeginSend returned: nothing was committed since
  if (slot.empty()) return false;
  auto protected_length = srtp_->ProtectRtp(slot, length);
  if (!protected_length.ok()) return false;
  ++rtp_packets_sent_;
  path_->CommitSend(*protected_length);  // a TCP write error may close the path in here: last
  return true;
}

bool WebRtcTransport::CommitRtcp(size_t length) {
  if (!path_) return false;
  auto slot = path_->PrepareSend();
  if (slot.empty()) return false;
  auto protected_length = srtp_->ProtectRtcp(slot, length);
  if (!protected_length.ok()) return false;
  path_->CommitSend(*protected_length);
  return true;
}

std::optional<uint16_t> WebRtcTransport::OpenDataChannel(const sctp::DataChannelParams& params) {
  if (!sctp_ || ended_) return std::nullopt;
  auto stream = sctp_->OpenDataChannel(params);
  if (!stream.ok()) return std::nullopt;
  return *stream;
}

bool WebRtcTransport::SendDataChannelMessage(uint16_t stream_id, sctp::DataChannelMessageType type,
                                             std::span<const uint8_t> data) {
  if (!sctp_ || ended_) return false;
  return sctp_->SendMessage(stream_id, type, data).ok();
}

void WebRtcTransport::OnFastTick() {
  if (ended_) return;
  if (config_.ice_controlling && (client_tcp_ || config_.remote_address)) {
    uint64_t now_ms = clock_.NowMs();
    uint64_t interval = nominated_ ? config_.consent_interval_ms : config_.check_interval_ms;
    if (last_check_sent_ms_ == 0 || now_ms - last_check_sent_ms_ >= interval) SendCheck(now_ms);
  }
  if (state_ != TransportState::kConnecting) return;
  auto timeout = dtls_->NextTimeoutMs();
  if (timeout && *timeout == 0) dtls_->HandleTimeout();
}

void WebRtcTransport::OnSlowTick(uint64_t now_ms) {
  if (ended_) return;
  if (now_ms - last_consent_ms_ > config_.consent_timeout_ms) End(TransportEnd::kConsentExpired);
}

void WebRtcTransport::Close() {
  if (ended_) return;
  ended_ = true;
  state_ = TransportState::kClosed;
  sctp_.reset();
  dtls_->Close();
}

void WebRtcTransport::End(TransportEnd reason) {
  if (ended_) return;
  ended_ = true;
  state_ = TransportState::kClosed;
  listener_->OnWebRtcTransportEnded(this, reason);
}

void WebRtcTransport::OnDtlsTransportSendData(dtls::DtlsTransport*, std::span<const uint8_t> datagram) {
  if (path_) path_->Send(datagram);
}

void WebRtcTransport::OnDtlsTransportConnected(dtls::DtlsTransport*, const srtp::SrtpKeyMaterial& keys) {
  auto role =
      config_.dtls_role == dtls::DtlsRole::kClient ? srtp::SrtpRole::kClient : srtp::SrtpRole::kServer;
  auto session = srtp::SrtpSession::Create(keys, role);
  if (!session.ok()) {
    LOG_WARN("transport.srtp_failed", {"ufrag", config_.local_ufrag},
             {"error", srtp::ToString(session.error())});
    End(TransportEnd::kDtlsFailed);
    return;
  }
  srtp_ = std::move(*session);
  state_ = TransportState::kConnected;
  if (config_.data_channels) {
    sctp::SctpAssociationConfig sctp_config;
    sctp_config.role =
        config_.dtls_role == dtls::DtlsRole::kClient ? sctp::SctpRole::kClient : sctp::SctpRole::kServer;
    sctp_config.remote_max_message_size = config_.remote_max_message_size;
    sctp_ = std::make_unique<sctp::SctpAssociation>(sctp_config, this);
    sctp_->Connect();
  }
  listener_->OnWebRtcTransportConnected(this);
}

void WebRtcTransport::OnDtlsTransportApplicationData(dtls::DtlsTransport*, std::span<const uint8_t> data) {
  if (sctp_) sctp_->ProcessSctpData(data);
}

void WebRtcTransport::OnDtlsTransportFailed(dtls::DtlsTransport*, dtls::DtlsFailure reason) {
  LOG_WARN("transport.dtls_failed", {"ufrag", config_.local_ufrag}, {"reason", dtls::ToString(reason)},
           {"detail", dtls_->failure_detail()});
  End(TransportEnd::kDtlsFailed);
}

void WebRtcTransport::OnDtlsTransportClosed(dtls::DtlsTransport*) { End(TransportEnd::kDtlsClosed); }

void WebRtcTransport::OnSctpAssociationSendPacket(sctp::SctpAssociation*, std::span<const uint8_t> packet) {
  dtls_->SendApplicationData(packet);
}

void WebRtcTransport::OnSctpAssociationConnected(sctp::SctpAssociation*) {}

void WebRtcTransport::OnSctpAssociationClosed(sctp::SctpAssociation*) {}

void WebRtcTransport::OnSctpAssociationDataChannelOpened(sctp::SctpAssociation*,
                                                         const sctp::DataChannel& channel) {
  listener_->OnWebRtcTransportDataChannelOpened(this, channel);
}

void WebRtcTransport::OnSctpAssociationMessage(sctp::SctpAssociation*, uint16_t stream_id,
                                               sctp::DataChannelMessageType type,
                                               std::span<const uint8_t> data) {
  listener_->OnWebRtcTransportDataChannelMessage(this, stream_id, type, data);
}

void WebRtcTransport::OnSctpAssociationDataChannelClosed(sctp::SctpAssociation*, const sctp::DataChannel&) {}

}  // namespace cascade::transport
