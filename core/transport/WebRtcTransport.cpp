#include "core/transport/WebRtcTransport.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "core/base/Log.hpp"
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
    case TransportDrop::kCount: break;
  }
  return "?";
}

WebRtcTransport::WebRtcTransport(net::UdpSocket& socket, dtls::DtlsContext& dtls_context,
                                 const base::Clock& clock, WebRtcTransportConfig config, Listener* listener,
                                 base::EnumCounters<TransportDrop>* drops)
    : socket_(socket), clock_(clock), config_(std::move(config)), listener_(listener), drops_(drops) {
  dtls_ = std::make_unique<dtls::DtlsTransport>(dtls_context, this);
  last_consent_ms_ = clock_.NowMs();
  if (config_.ice_controlling) RAND_bytes(reinterpret_cast<uint8_t*>(&tiebreaker_), sizeof(tiebreaker_));
}

WebRtcTransport::~WebRtcTransport() {
  // The association sends its ABORT through us: tear it down before anything it uses.
  sctp_.reset();
  if (dtls_) dtls_->Close();
}

void WebRtcTransport::Drop(TransportDrop reason) {
  if (drops_) drops_->Inc(reason);
}

void WebRtcTransport::ReceiveStun(const ice::StunMessage& message, const net::SocketAddress& from) {
  if (ended_) return;
  if (message.method() == ice::stun_method::kBinding) {
    if (message.message_class() == ice::StunClass::kRequest) {
      ReceiveBindingRequest(message, from);
      return;
    }
    if (config_.ice_controlling && message.message_class() == ice::StunClass::kSuccessResponse) {
      ReceiveBindingSuccess(message, from);
      return;
    }
  }
  Drop(TransportDrop::kStunNotRequest);
}

void WebRtcTransport::ReceiveBindingRequest(const ice::StunMessage& request, const net::SocketAddress& from) {
  // RFC 8445 §7.3: USERNAME is "our-ufrag:their-ufrag", keyed with our password.
  auto username = request.username();
  std::string expected = config_.local_ufrag + ":" + config_.remote_ufrag;
  if (!username || *username != expected) {
    Drop(TransportDrop::kStunWrongUsername);
    return;
  }
  if (request.has_fingerprint() && !request.VerifyFingerprint().ok()) {
    Drop(TransportDrop::kStunBadFingerprint);
    return;
  }
  std::span<const uint8_t> key(reinterpret_cast<const uint8_t*>(config_.local_pwd.data()),
                               config_.local_pwd.size());
  if (!request.VerifyIntegrity(key).ok()) {
    Drop(TransportDrop::kStunBadIntegrity);
    return;
  }
  sockaddr_storage storage{};
  std::memcpy(&storage, from.raw(), from.length());
  auto mapped = ice::TransportAddress::FromSockaddr(storage);
  if (!mapped) return;
  auto slot = socket_.PrepareSend();
  if (slot.empty()) return;
  auto response = ice::StunMessageBuilder::BindingSuccess(slot, request.transaction_id(), *mapped, key);
  if (!response.ok()) return;
  socket_.CommitSend(response->size(), from);

  last_consent_ms_ = clock_.NowMs();
  // ICE-lite: the controlling browser nominates; until then the latest checked pair serves.
  if (!selected_ || request.use_candidate()) {
    if (!selected_ || !(*selected_ == from)) {
      selected_ = from;
      listener_->OnWebRtcTransportAddressSelected(this, from);
    }
  }
  if (state_ == TransportState::kWaitingForIce) {
    state_ = TransportState::kConnecting;
    dtls_->Start(config_.dtls_role, config_.remote_fingerprint);
  }
}

void WebRtcTransport::ReceiveBindingSuccess(const ice::StunMessage& response,
                                            const net::SocketAddress& from) {
  // RFC 8445 §7.2.5.2: a success response must come from where the check went, answer one of
  // our transaction ids and carry MESSAGE-INTEGRITY keyed with the peer's password.
  if (!config_.remote_address || !(from == *config_.remote_address)) {
    Drop(TransportDrop::kStunUnknownTransaction);
    return;
  }
  auto id = response.transaction_id();
  bool known = false;
  for (const auto& pending : pending_checks_) {
    if (std::equal(pending.begin(), pending.end(), id.begin())) known = true;
  }
  if (!known) {
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
  // RFC 7675 §5.1: an authenticated response refreshes consent.
  last_consent_ms_ = clock_.NowMs();
  if (!selected_) {
    // We nominated with USE-CANDIDATE in every check, so the first valid pair is the one.
    selected_ = from;
    listener_->OnWebRtcTransportAddressSelected(this, from);
  }
  if (state_ == TransportState::kWaitingForIce) {
    state_ = TransportState::kConnecting;
    dtls_->Start(config_.dtls_role, config_.remote_fingerprint);
  }
}

void WebRtcTransport::SendCheck(uint64_t now_ms) {
  auto slot = socket_.PrepareSend();
  if (slot.empty()) return;
  auto& id = pending_checks_[next_check_slot_];
  next_check_slot_ = (next_check_slot_ + 1) % kPendingChecks;
  RAND_bytes(id.data(), static_cast<int>(id.size()));
  // RFC 8445 §7.2.2: USERNAME "their-ufrag:our-ufrag", keyed with their password.
  std::string username = config_.remote_ufrag + ":" + config_.local_ufrag;
  ice::StunBindingRequestParams params{.transaction_id = id};
  params.username = username;
  params.key = ice::StunIntegrity::ShortTermKey(config_.remote_pwd);
  params.priority = config_.ice_priority;
  params.ice_controlling = tiebreaker_;
  // Aggressive nomination until a pair is selected; consent checks (RFC 7675) need no flag.
  params.use_candidate = !selected_;
  auto request = ice::StunMessageBuilder::BindingRequest(slot, params);
  if (!request.ok()) return;
  socket_.CommitSend(request->size(), *config_.remote_address);
  last_check_sent_ms_ = now_ms;
}

void WebRtcTransport::ReceiveDtls(std::span<const uint8_t> datagram, const net::SocketAddress& from) {
  if (ended_ || !FromSelected(from)) return;
  dtls_->ReceiveDatagram(datagram);
}

void WebRtcTransport::ReceiveRtp(std::span<uint8_t> datagram, const net::SocketAddress& from) {
  if (ended_ || !FromSelected(from)) return;
  if (!srtp_) {
    Drop(TransportDrop::kBeforeKeys);
    return;
  }
  auto length = srtp_->UnprotectRtp(datagram, datagram.size());
  if (!length.ok()) {
    Drop(TransportDrop::kSrtpFailed);
    return;
  }
  auto packet = rtp::RtpPacket::Parse(datagram.first(*length));
  if (!packet.ok()) {
    Drop(TransportDrop::kRtpMalformed);
    return;
  }
  ++rtp_packets_received_;
  listener_->OnWebRtcTransportRtp(this, *packet);
}

void WebRtcTransport::ReceiveRtcp(std::span<uint8_t> datagram, const net::SocketAddress& from) {
  if (ended_ || !FromSelected(from)) return;
  if (!srtp_) {
    Drop(TransportDrop::kBeforeKeys);
    return;
  }
  auto length = srtp_->UnprotectRtcp(datagram, datagram.size());
  if (!length.ok()) {
    Drop(TransportDrop::kSrtcpFailed);
    return;
  }
  listener_->OnWebRtcTransportRtcp(this, datagram.first(*length));
}

std::span<uint8_t> WebRtcTransport::BeginSend() {
  if (ended_ || !srtp_ || !selected_) return {};
  return socket_.PrepareSend();
}

bool WebRtcTransport::CommitRtp(size_t length) {
  auto slot = socket_.PrepareSend();  // the same slot BeginSend returned: nothing was committed since
  auto protected_length = srtp_->ProtectRtp(slot, length);
  if (!protected_length.ok()) return false;
  socket_.CommitSend(*protected_length, *selected_);
  ++rtp_packets_sent_;
  return true;
}

bool WebRtcTransport::CommitRtcp(size_t length) {
  auto slot = socket_.PrepareSend();
  auto protected_length = srtp_->ProtectRtcp(slot, length);
  if (!protected_length.ok()) return false;
  socket_.CommitSend(*protected_length, *selected_);
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
  if (config_.ice_controlling && config_.remote_address) {
    uint64_t now_ms = clock_.NowMs();
    uint64_t interval = selected_ ? config_.consent_interval_ms : config_.check_interval_ms;
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
  if (selected_) socket_.Send(datagram, *selected_);
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
