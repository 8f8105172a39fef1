#include "core/sctp/SctpAssociation.hpp"

#include <arpa/inet.h>
#include <usrsctp.h>

#include <cerrno>
#include <cstring>

#include "core/base/Log.hpp"
#include "core/sctp/SctpLibrary.hpp"

namespace cascade::sctp {

const char* ToString(SctpError error) {
  switch (error) {
    case SctpError::kNotConnected: return "not_connected";
    case SctpError::kUnknownChannel: return "unknown_channel";
    case SctpError::kChannelClosing: return "channel_closing";
    case SctpError::kMessageTooLarge: return "message_too_large";
    case SctpError::kWouldBlock: return "would_block";
    case SctpError::kNoStreamAvailable: return "no_stream_available";
    case SctpError::kStreamInUse: return "stream_in_use";
    case SctpError::kInvalidParameters: return "invalid_parameters";
    case SctpError::kSendFailed: return "send_failed";
    case SctpError::kIncomingTooLarge: return "incoming_too_large";
    case SctpError::kUnknownStream: return "unknown_stream";
    case SctpError::kUnknownPpid: return "unknown_ppid";
    case SctpError::kBadDcep: return "bad_dcep";
    case SctpError::kOpenRejected: return "open_rejected";
    case SctpError::kUnexpectedAck: return "unexpected_ack";
    case SctpError::kBadNotification: return "bad_notification";
    case SctpError::kCount: break;
  }
  return "unknown";
}

namespace {

template <typename T>
void SetOption(struct socket* socket, int level, int name, const T& value, const char* what) {
  if (usrsctp_setsockopt(socket, level, name, &value, static_cast<socklen_t>(sizeof(value))) != 0) {
    LOG_WARN("sctp_setsockopt_failed", {"option", what}, {"errno", errno});
  }
}

struct sockaddr_conn ConnAddress(uintptr_t id, uint16_t port) {
  struct sockaddr_conn address;
  std::memset(&address, 0, sizeof(address));
  address.sconn_family = AF_CONN;
  address.sconn_port = htons(port);
  address.sconn_addr = reinterpret_cast<void*>(id);
  return address;
}

bool IsText(uint32_t ppid) {
  return ppid == static_cast<uint32_t>(SctpPpid::kString) ||
         ppid == static_cast<uint32_t>(SctpPpid::kStringPartial) ||
         ppid == static_cast<uint32_t>(SctpPpid::kStringEmpty);
}

}  // namespace

SctpAssociation::SctpAssociation(const SctpAssociationConfig& config, Listener* listener)
    : config_(config), listener_(listener) {
  SctpLibrary::Acquire();
  SctpLibrary::Scope scope;
  id_ = SctpLibrary::Register(this);
  socket_ = SctpLibrary::CreateSocket(id_, config_.send_buffer_size / 2);
  if (socket_ == nullptr) {
    LOG_ERROR("sctp_socket_failed", {"errno", errno});
    state_ = State::kClosed;
    return;
  }
  // Loop-driven: never block inside usrsctp.
  usrsctp_set_non_blocking(socket_, 1);
  // Closing aborts at once (ABORT chunk) instead of lingering in SHUTDOWN with our id gone.
  struct linger linger_option = {1, 0};
  SetOption(socket_, SOL_SOCKET, SO_LINGER, linger_option, "SO_LINGER");
  const int send_buffer = static_cast<int>(config_.send_buffer_size);
  const int receive_buffer = static_cast<int>(config_.receive_buffer_size);
  SetOption(socket_, SOL_SOCKET, SO_SNDBUF, send_buffer, "SO_SNDBUF");
  SetOption(socket_, SOL_SOCKET, SO_RCVBUF, receive_buffer, "SO_RCVBUF");
  const int on = 1;
  // Stream id and PPID of each received message come in sctp_rcvinfo.
  SetOption(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on, "SCTP_RECVRCVINFO");
  // A message may be handed over in pieces (SCTP_EOR marks its end), so messages larger
  // than the free send buffer are accepted, as libwebrtc does.
  SetOption(socket_, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, on, "SCTP_EXPLICIT_EOR");
  // Data channels are latency-sensitive: no Nagle-style bundling delay.
  SetOption(socket_, IPPROTO_SCTP, SCTP_NODELAY, on, "SCTP_NODELAY");
  // RFC 8831 §6.7: channels are closed by resetting their streams (RFC 6525).
  struct sctp_assoc_value reset_option;
  std::memset(&reset_option, 0, sizeof(reset_option));
  reset_option.assoc_id = SCTP_ALL_ASSOC;
  reset_option.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ | SCTP_ENABLE_CHANGE_ASSOC_REQ;
  SetOption(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset_option, "SCTP_ENABLE_STREAM_RESET");
  for (uint16_t type : {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SENDER_DRY_EVENT,
                        SCTP_STREAM_CHANGE_EVENT, SCTP_REMOTE_ERROR, SCTP_SHUTDOWN_EVENT}) {
    struct sctp_event event;
    std::memset(&event, 0, sizeof(event));
    event.se_assoc_id = SCTP_ALL_ASSOC;
    event.se_type = type;
    event.se_on = 1;
    SetOption(socket_, IPPROTO_SCTP, SCTP_EVENT, event, "SCTP_EVENT");
  }
  struct sctp_initmsg init;
  std::memset(&init, 0, sizeof(init));
  init.sinit_num_ostreams = config_.outbound_streams;
  init.sinit_max_instreams = config_.inbound_streams;
  SetOption(socket_, IPPROTO_SCTP, SCTP_INITMSG, init, "SCTP_INITMSG");
  // WebRTC stacks use shorter timeouts than RFC 4960's 3 s / 1 s / 60 s (libwebrtc, libdatachannel).
  struct sctp_rtoinfo rto;
  std::memset(&rto, 0, sizeof(rto));
  rto.srto_initial = config_.rto_initial_ms;
  rto.srto_min = config_.rto_min_ms;
  rto.srto_max = config_.rto_max_ms;
  SetOption(socket_, IPPROTO_SCTP, SCTP_RTOINFO, rto, "SCTP_RTOINFO");
  // RFC 8261 §5: DTLS does the path MTU work; SCTP uses a fixed size and keeps heartbeats.
  struct sctp_paddrparams peer_params;
  std::memset(&peer_params, 0, sizeof(peer_params));
  peer_params.spp_flags = SPP_PMTUD_DISABLE | SPP_HB_ENABLE;
  peer_params.spp_pathmtu = config_.mtu;
  SetOption(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, peer_params, "SCTP_PEER_ADDR_PARAMS");

  struct sockaddr_conn local = ConnAddress(id_, config_.local_port);
  if (usrsctp_bind(socket_, reinterpret_cast<struct sockaddr*>(&local), sizeof(local)) != 0) {
    LOG_ERROR("sctp_bind_failed", {"errno", errno});
    state_ = State::kClosed;
  }
}

SctpAssociation::~SctpAssociation() {
  // Drops our registry entry first: whatever usrsctp still emits for this socket is ignored.
  SctpLibrary::Unregister(id_, socket_);
  SctpLibrary::Release();
}

void SctpAssociation::Connect() {
  if (state_ != State::kNew || socket_ == nullptr) return;
  SctpLibrary::Scope scope;
  state_ = State::kConnecting;
  struct sockaddr_conn remote = ConnAddress(id_, config_.remote_port);
  if (usrsctp_connect(socket_, reinterpret_cast<struct sockaddr*>(&remote), sizeof(remote)) != 0 &&
      errno != EINPROGRESS) {
    LOG_WARN("sctp_connect_failed", {"errno", errno});
    state_ = State::kClosed;
  }
}

void SctpAssociation::ProcessSctpData(std::span<const uint8_t> packet) {
  if (socket_ == nullptr || packet.empty()) return;
  if (SctpLibrary::InsideUsrsctp()) {
    // Handed in from inside usrsctp (a peer in the same process): feed it after usrsctp returns.
    SctpLibrary::QueueInbound(id_, packet.data(), packet.size());
    return;
  }
  // DTLS is up if SCTP arrives: a peer's INIT before our Connect() must not meet a closed
  // socket (it would be answered with ABORT), so connect now; the INITs collide harmlessly.
  if (state_ == State::kNew) Connect();
  SctpLibrary::Scope scope;
  usrsctp_conninput(reinterpret_cast<void*>(id_), packet.data(), packet.size(), 0);
}

void SctpAssociation::Close() {
  if (socket_ == nullptr) return;
  SctpLibrary::Scope scope;
  state_ = State::kClosed;
  // Still registered, so the ABORT reaches the listener.
  usrsctp_close(socket_);
  socket_ = nullptr;
}

base::Result<uint16_t, SctpError> SctpAssociation::OpenDataChannel(const DataChannelParams& params) {
  SctpLibrary::Scope scope;
  if (state_ == State::kClosed) return base::Fail(SctpError::kNotConnected);
  if (params.label.size() > UINT16_MAX || params.protocol.size() > UINT16_MAX) {
    return base::Fail(SctpError::kInvalidParameters);
  }
  const bool connected = state_ == State::kConnected;
  const uint16_t limit = connected ? std::min(outbound_streams_, inbound_streams_)
                                   : std::min(config_.outbound_streams, config_.inbound_streams);
  uint16_t stream_id = 0;
  if (params.negotiated_id) {
    stream_id = *params.negotiated_id;
    if (stream_id >= limit || stream_id == 65535) return base::Fail(SctpError::kInvalidParameters);
    if (!StreamIdUsable(stream_id)) return base::Fail(SctpError::kStreamInUse);
  } else {
    // RFC 8832 §6: the DTLS client uses even stream ids, the DTLS server odd ones.
    bool found = false;
    for (uint32_t s = config_.role == SctpRole::kClient ? 0 : 1; s < limit; s += 2) {
      if (StreamIdUsable(static_cast<uint16_t>(s))) {
        stream_id = static_cast<uint16_t>(s);
        found = true;
        break;
      }
    }
    if (!found) return base::Fail(SctpError::kNoStreamAvailable);
  }
  auto channel = std::make_unique<DataChannel>(stream_id, params, true);
  DataChannel& ref = *channel;
  channels_.emplace(stream_id, std::move(channel));
  if (params.negotiated_id) {
    ref.state_ = DataChannel::State::kOpen;
  } else if (connected) {
    SendOpen(ref);
  }
  return stream_id;
}

base::Result<size_t, SctpError> SctpAssociation::SendMessage(uint16_t stream_id, DataChannelMessageType type,
                                                             std::span<const uint8_t> data) {
  SctpLibrary::Scope scope;
  if (state_ != State::kConnected) {
    errors_.Inc(SctpError::kNotConnected);
    return base::Fail(SctpError::kNotConnected);
  }
  auto it = channels_.find(stream_id);
  if (it == channels_.end()) {
    errors_.Inc(SctpError::kUnknownChannel);
    return base::Fail(SctpError::kUnknownChannel);
  }
  const DataChannel& channel = *it->second;
  if (channel.state_ == DataChannel::State::kClosing) {
    errors_.Inc(SctpError::kChannelClosing);
    return base::Fail(SctpError::kChannelClosing);
  }
  // RFC 8841 §6.1: never send a message larger than the peer said it can take (0: no limit).
  if (config_.remote_max_message_size != 0 && data.size() > config_.remote_max_message_size) {
    errors_.Inc(SctpError::kMessageTooLarge);
    return base::Fail(SctpError::kMessageTooLarge);
  }
  const bool text = type == DataChannelMessageType::kText;
  uint32_t ppid = static_cast<uint32_t>(text ? SctpPpid::kString : SctpPpid::kBinary);
  static constexpr uint8_t kEmptyPayload[1] = {0};
  std::span<const uint8_t> payload = data;
  if (data.empty()) {
    // RFC 8831 §6.6: SCTP cannot carry an empty user message; send one byte with PPID 56/57.
    ppid = static_cast<uint32_t>(text ? SctpPpid::kStringEmpty : SctpPpid::kBinaryEmpty);
    payload = kEmptyPayload;
  }
  // RFC 8832 §6: until the ACK arrives, the initiator's messages go ordered so they cannot
  // overtake the DATA_CHANNEL_OPEN.
  const bool unordered = !channel.ordered() && channel.state_ == DataChannel::State::kOpen;
  auto sent = SendRaw(stream_id, ppid, unordered, channel.params_.reliability,
                      channel.params_.reliability_parameter, payload, false);
  if (!sent) return sent;
  return data.size();
}

base::Result<uint16_t, SctpError> SctpAssociation::CloseDataChannel(uint16_t stream_id) {
  SctpLibrary::Scope scope;
  auto it = channels_.find(stream_id);
  if (it == channels_.end()) return base::Fail(SctpError::kUnknownChannel);
  DataChannel& channel = *it->second;
  if (channel.state_ == DataChannel::State::kClosing) return stream_id;
  if (state_ != State::kConnected) {
    // Nothing was sent for it yet (or the association is gone): forget it at once.
    channels_.erase(it);
    return stream_id;
  }
  channel.state_ = DataChannel::State::kClosing;
  channel.reset_requested_ = true;
  RequestStreamReset(stream_id);
  return stream_id;
}

const DataChannel* SctpAssociation::FindDataChannel(uint16_t stream_id) const {
  auto it = channels_.find(stream_id);
  return it == channels_.end() ? nullptr : it->second.get();
}

bool SctpAssociation::StreamIdUsable(uint16_t stream_id) const {
  return channels_.find(stream_id) == channels_.end() &&
         resetting_streams_.find(stream_id) == resetting_streams_.end();
}

bool SctpAssociation::StillAlive(uintptr_t id) { return SctpLibrary::Find(id) != nullptr; }

void SctpAssociation::SetClosed() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  listener_->OnSctpAssociationClosed(this);
}

// ---- Sending ----

base::Result<size_t, SctpError> SctpAssociation::SendRaw(uint16_t stream_id, uint32_t ppid, bool unordered,
                                                         DataChannelReliability reliability,
                                                         uint32_t reliability_parameter,
                                                         std::span<const uint8_t> data, bool internal) {
  if (socket_ == nullptr) return base::Fail(SctpError::kNotConnected);
  OutgoingMessage message{stream_id, ppid, unordered, reliability, reliability_parameter, {}, 0};
  ptrdiff_t taken = 0;
  if (outgoing_.empty()) {
    taken = SendPiece(message, data);
    if (taken < 0) {
      errors_.Inc(SctpError::kSendFailed);
      return base::Fail(SctpError::kSendFailed);
    }
  }
  if (taken == 0 && !internal) {
    // Nothing accepted and the caller can retry: keep backpressure explicit.
    send_blocked_ = true;
    errors_.Inc(SctpError::kWouldBlock);
    return base::Fail(SctpError::kWouldBlock);
  }
  if (static_cast<size_t>(taken) < data.size()) {
    // usrsctp took part of the message (explicit EOR mode) or, for DCEP, none of it: the
    // rest must follow before anything else, so it is queued.
    message.data.assign(data.begin() + taken, data.end());
    queued_bytes_ += message.data.size();
    outgoing_.push_back(std::move(message));
  }
  ++messages_sent_;
  bytes_sent_ += data.size();
  return data.size();
}

ptrdiff_t SctpAssociation::SendPiece(const OutgoingMessage& header, std::span<const uint8_t> data) {
  struct sctp_sendv_spa spa;
  std::memset(&spa, 0, sizeof(spa));
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = header.stream_id;
  spa.sendv_sndinfo.snd_flags = static_cast<uint16_t>(SCTP_EOR | (header.unordered ? SCTP_UNORDERED : 0));
  spa.sendv_sndinfo.snd_ppid = htonl(header.ppid);
  if (header.reliability != DataChannelReliability::kReliable) {
    // RFC 8831 §6.1 partial reliability: limit retransmissions or lifetime (RFC 7496).
    spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    spa.sendv_prinfo.pr_policy =
        header.reliability == DataChannelReliability::kMaxRetransmits ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
    spa.sendv_prinfo.pr_value = header.reliability_parameter;
  }
  SctpLibrary::Scope scope;
  const ssize_t sent = usrsctp_sendv(socket_, data.data(), data.size(), nullptr, 0, &spa,
                                     static_cast<socklen_t>(sizeof(spa)), SCTP_SENDV_SPA, 0);
  if (sent < 0) {
    if (errno == EWOULDBLOCK || errno == EAGAIN) return 0;
    LOG_WARN("sctp_send_failed", {"errno", errno}, {"stream", header.stream_id});
    return -1;
  }
  return sent;
}

void SctpAssociation::FlushQueuedMessages() {
  while (!outgoing_.empty() && socket_ != nullptr) {
    OutgoingMessage& message = outgoing_.front();
    const auto rest = std::span<const uint8_t>(message.data).subspan(message.offset);
    const ptrdiff_t taken = SendPiece(message, rest);
    if (taken == 0) return;
    if (taken < 0) {
      errors_.Inc(SctpError::kSendFailed);
      queued_bytes_ -= rest.size();
      outgoing_.pop_front();
      continue;
    }
    message.offset += static_cast<size_t>(taken);
    queued_bytes_ -= static_cast<size_t>(taken);
    if (message.offset < message.data.size()) return;
    outgoing_.pop_front();
  }
}

void SctpAssociation::SendOpen(DataChannel& channel) {
  DcepOpenFields open;
  open.channel_type = ToChannelType(channel.params_.ordered, channel.params_.reliability);
  open.priority = channel.params_.priority;
  open.reliability_parameter = channel.params_.reliability_parameter;
  open.label = channel.params_.label;
  open.protocol = channel.params_.protocol;
  std::vector<uint8_t> buffer(DcepMessage::OpenSize(open));
  auto written = DcepMessage::SerializeOpen(open, buffer);
  if (!written) {
    dcep_errors_.Inc(written.error());
    return;
  }
  channel.open_sent_ = true;
  // RFC 8832 §6: DCEP messages are sent ordered and reliable on the channel's stream, PPID 50.
  SendRaw(channel.stream_id_, static_cast<uint32_t>(SctpPpid::kDcep), false,
          DataChannelReliability::kReliable, 0, std::span<const uint8_t>(buffer.data(), *written), true);
}

void SctpAssociation::HandleOutgoingPacket(std::span<const uint8_t> packet) {
  listener_->OnSctpAssociationSendPacket(this, packet);
}

void SctpAssociation::HandleWritable() {
  FlushQueuedMessages();
  FlushStreamResets();
  if (outgoing_.empty() && send_blocked_) {
    send_blocked_ = false;
    listener_->OnSctpAssociationSendBufferAvailable(this);
  }
}

// ---- Stream resets (RFC 8831 §6.7, RFC 6525) ----

void SctpAssociation::RequestStreamReset(uint16_t stream_id) {
  resetting_streams_.insert(stream_id);
  pending_resets_.push_back(stream_id);
  FlushStreamResets();
}

void SctpAssociation::FlushStreamResets() {
  if (pending_resets_.empty() || socket_ == nullptr || state_ != State::kConnected) return;
  const size_t count = std::min<size_t>(pending_resets_.size(), 512);
  const size_t size = sizeof(struct sctp_reset_streams) + count * sizeof(uint16_t);
  reset_scratch_.assign(size, 0);
  auto* request = reinterpret_cast<struct sctp_reset_streams*>(reset_scratch_.data());
  request->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  request->srs_number_streams = static_cast<uint16_t>(count);
  for (size_t i = 0; i < count; ++i) request->srs_stream_list[i] = pending_resets_[i];
  SctpLibrary::Scope scope;
  if (usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, request, static_cast<socklen_t>(size)) ==
      0) {
    pending_resets_.erase(pending_resets_.begin(), pending_resets_.begin() + static_cast<ptrdiff_t>(count));
    return;
  }
  // One reset request may be outstanding at a time (RFC 6525 §5.1.1): retry on the next
  // stream reset event or when the send side drains.
  if (errno != EAGAIN && errno != EALREADY && errno != EBUSY && errno != EINPROGRESS) {
    LOG_WARN("sctp_stream_reset_failed", {"errno", errno});
    pending_resets_.clear();
  }
}

void SctpAssociation::RemoveChannel(uint16_t stream_id, bool notify) {
  auto it = channels_.find(stream_id);
  if (it == channels_.end()) return;
  std::unique_ptr<DataChannel> channel = std::move(it->second);
  channels_.erase(it);
  if (notify) listener_->OnSctpAssociationDataChannelClosed(this, *channel);
}

// ---- Receiving ----

void SctpAssociation::HandleReceive(const uint8_t* data, size_t length, uint16_t stream_id, uint32_t ppid,
                                    int flags) {
  if (state_ == State::kClosed && socket_ == nullptr) return;
  const std::span<const uint8_t> bytes(data, length);
  if ((flags & MSG_NOTIFICATION) != 0) {
    HandleNotification(bytes);
    return;
  }
  const bool end_of_record = (flags & MSG_EOR) != 0;
  if (!reassembling_ && end_of_record) {
    // The common case: usrsctp delivered the whole message, no copy.
    if (length > config_.local_max_message_size) {
      errors_.Inc(SctpError::kIncomingTooLarge);
      return;
    }
    HandleMessage(stream_id, ppid, bytes);
    return;
  }
  // Partial delivery: collect the pieces, bounded by our advertised max-message-size.
  if (!reassembling_ || stream_id != reassembly_stream_) {
    reassembling_ = true;
    reassembly_discard_ = false;
    reassembly_stream_ = stream_id;
    reassembly_ppid_ = ppid;
    reassembly_.clear();
  }
  if (!reassembly_discard_) {
    if (reassembly_.size() + length > config_.local_max_message_size) {
      errors_.Inc(SctpError::kIncomingTooLarge);
      reassembly_discard_ = true;
      reassembly_.clear();
    } else {
      reassembly_.insert(reassembly_.end(), bytes.begin(), bytes.end());
    }
  }
  if (!end_of_record) return;
  reassembling_ = false;
  if (reassembly_discard_) return;
  std::vector<uint8_t> message;
  message.swap(reassembly_);
  const uintptr_t id = id_;
  HandleMessage(reassembly_stream_, reassembly_ppid_, message);
  if (!StillAlive(id)) return;
  message.clear();
  reassembly_.swap(message);  // keep the capacity for the next large message
}

void SctpAssociation::HandleMessage(uint16_t stream_id, uint32_t ppid, std::span<const uint8_t> payload) {
  switch (static_cast<SctpPpid>(ppid)) {
    case SctpPpid::kDcep: HandleDcep(stream_id, payload); return;
    case SctpPpid::kString:
    case SctpPpid::kBinary:
    case SctpPpid::kStringPartial:
    case SctpPpid::kBinaryPartial:
    case SctpPpid::kStringEmpty:
    case SctpPpid::kBinaryEmpty: HandleUserMessage(stream_id, ppid, payload); return;
  }
  // RFC 8831 §8: other PPIDs are not WebRTC data channel traffic.
  errors_.Inc(SctpError::kUnknownPpid);
}

void SctpAssociation::HandleDcep(uint16_t stream_id, std::span<const uint8_t> payload) {
  const uintptr_t id = id_;
  auto parsed = DcepMessage::Parse(payload);
  if (!parsed) {
    dcep_errors_.Inc(parsed.error());
    errors_.Inc(SctpError::kBadDcep);
    // RFC 8832 §6: a malformed DATA_CHANNEL_OPEN closes the stream and gets no ACK.
    if (!payload.empty() && payload[0] == static_cast<uint8_t>(DcepMessageType::kOpen) &&
        StreamIdUsable(stream_id)) {
      RequestStreamReset(stream_id);
    }
    return;
  }
  if (parsed->type() == DcepMessageType::kAck) {
    auto it = channels_.find(stream_id);
    if (it == channels_.end() || !it->second->locally_initiated_) {
      errors_.Inc(SctpError::kUnexpectedAck);
      return;
    }
    DataChannel& channel = *it->second;
    if (channel.state_ != DataChannel::State::kConnecting) return;  // already opened implicitly
    channel.state_ = DataChannel::State::kOpen;
    listener_->OnSctpAssociationDataChannelOpened(this, channel);
    return;
  }
  // DATA_CHANNEL_OPEN. RFC 8832 §6: accepted only on an unused stream whose parity is the
  // peer's (the peer has the other DTLS role) and that we can answer on.
  const bool peer_parity = (stream_id % 2) == (config_.role == SctpRole::kClient ? 1 : 0);
  auto existing = channels_.find(stream_id);
  if (existing != channels_.end() || !peer_parity || !StreamIdUsable(stream_id) ||
      stream_id >= outbound_streams_) {
    errors_.Inc(SctpError::kOpenRejected);
    LOG_DEBUG("sctp_open_rejected", {"stream", stream_id});
    // "the receiver MUST close the corresponding data channel ... and MUST NOT send a
    // DATA_CHANNEL_ACK": reset the stream; a channel already on it closes with it.
    if (existing != channels_.end()) {
      DataChannel& channel = *existing->second;
      if (channel.reset_requested_) return;
      channel.state_ = DataChannel::State::kClosing;
      channel.reset_requested_ = true;
    }
    if (stream_id < outbound_streams_) RequestStreamReset(stream_id);
    return;
  }
  auto channel = std::make_unique<DataChannel>(stream_id, ToParams(parsed->open()), false);
  channel->state_ = DataChannel::State::kOpen;
  DataChannel& ref = *channel;
  channels_.emplace(stream_id, std::move(channel));
  uint8_t ack[DcepMessage::kAckSize];
  DcepMessage::SerializeAck(ack);
  SendRaw(stream_id, static_cast<uint32_t>(SctpPpid::kDcep), false, DataChannelReliability::kReliable, 0, ack,
          true);
  if (!StillAlive(id)) return;
  listener_->OnSctpAssociationDataChannelOpened(this, ref);
}

void SctpAssociation::HandleUserMessage(uint16_t stream_id, uint32_t ppid, std::span<const uint8_t> payload) {
  const uintptr_t id = id_;
  auto it = channels_.find(stream_id);
  if (it == channels_.end()) {
    errors_.Inc(SctpError::kUnknownStream);
    return;
  }
  DataChannel& channel = *it->second;
  if (channel.state_ == DataChannel::State::kConnecting && channel.locally_initiated_) {
    // The peer sends only after its ACK; a message first means the ACK is on its way behind
    // an unordered message: treat the channel as open (libwebrtc does the same).
    channel.state_ = DataChannel::State::kOpen;
    listener_->OnSctpAssociationDataChannelOpened(this, channel);
    if (!StillAlive(id) || channels_.find(stream_id) == channels_.end()) return;
  }
  const auto type = IsText(ppid) ? DataChannelMessageType::kText : DataChannelMessageType::kBinary;
  const auto kind = static_cast<SctpPpid>(ppid);
  if (kind == SctpPpid::kStringPartial || kind == SctpPpid::kBinaryPartial) {
    // Deprecated fragmentation (RFC 8831 §8): pieces until a final 51/53 message.
    auto& partial = legacy_partials_[stream_id];
    if (partial.size() + payload.size() > config_.local_max_message_size) {
      errors_.Inc(SctpError::kIncomingTooLarge);
      legacy_partials_.erase(stream_id);
      return;
    }
    partial.insert(partial.end(), payload.begin(), payload.end());
    return;
  }
  if (kind == SctpPpid::kStringEmpty || kind == SctpPpid::kBinaryEmpty) {
    // RFC 8831 §6.6: the single byte carried is not part of the message.
    payload = {};
  }
  std::vector<uint8_t> joined;
  auto partial = legacy_partials_.find(stream_id);
  if (partial != legacy_partials_.end()) {
    joined.swap(partial->second);
    legacy_partials_.erase(partial);
    if (joined.size() + payload.size() > config_.local_max_message_size) {
      errors_.Inc(SctpError::kIncomingTooLarge);
      return;
    }
    joined.insert(joined.end(), payload.begin(), payload.end());
    payload = joined;
  }
  ++messages_received_;
  bytes_received_ += payload.size();
  listener_->OnSctpAssociationMessage(this, stream_id, type, payload);
}

// ---- Notifications ----

void SctpAssociation::HandleNotification(std::span<const uint8_t> data) {
  decltype(sctp_notification::sn_header) header;
  if (data.size() < sizeof(header)) {
    errors_.Inc(SctpError::kBadNotification);
    return;
  }
  std::memcpy(&header, data.data(), sizeof(header));
  switch (header.sn_type) {
    case SCTP_ASSOC_CHANGE: HandleAssociationChange(data); break;
    case SCTP_STREAM_RESET_EVENT: HandleStreamReset(data); break;
    case SCTP_SENDER_DRY_EVENT: HandleWritable(); break;
    case SCTP_STREAM_CHANGE_EVENT: {
      struct sctp_stream_change_event change;
      if (data.size() < sizeof(change)) break;
      std::memcpy(&change, data.data(), sizeof(change));
      inbound_streams_ = change.strchange_instrms;
      outbound_streams_ = change.strchange_outstrms;
      break;
    }
    case SCTP_REMOTE_ERROR: LOG_WARN("sctp_remote_error", {"association", id_}); break;
    case SCTP_SHUTDOWN_EVENT: LOG_DEBUG("sctp_peer_shutdown", {"association", id_}); break;
    default: break;
  }
}

void SctpAssociation::HandleAssociationChange(std::span<const uint8_t> data) {
  struct sctp_assoc_change change;
  if (data.size() < sizeof(change)) {
    errors_.Inc(SctpError::kBadNotification);
    return;
  }
  std::memcpy(&change, data.data(), sizeof(change));
  switch (change.sac_state) {
    case SCTP_COMM_UP: {
      if (state_ == State::kConnected) return;
      state_ = State::kConnected;
      outbound_streams_ = change.sac_outbound_streams;
      inbound_streams_ = change.sac_inbound_streams;
      LOG_DEBUG("sctp_connected", {"association", id_}, {"out", outbound_streams_}, {"in", inbound_streams_});
      // Channels opened before the association was up announce themselves now.
      for (auto& [stream_id, channel] : channels_) {
        if (channel->locally_initiated_ && !channel->negotiated() && !channel->open_sent_) SendOpen(*channel);
      }
      FlushStreamResets();
      listener_->OnSctpAssociationConnected(this);
      return;
    }
    case SCTP_RESTART:
      outbound_streams_ = change.sac_outbound_streams;
      inbound_streams_ = change.sac_inbound_streams;
      return;
    case SCTP_COMM_LOST:
    case SCTP_SHUTDOWN_COMP:
    case SCTP_CANT_STR_ASSOC: SetClosed(); return;
    default: return;
  }
}

void SctpAssociation::HandleStreamReset(std::span<const uint8_t> data) {
  struct sctp_stream_reset_event event;
  if (data.size() < sizeof(event)) {
    errors_.Inc(SctpError::kBadNotification);
    return;
  }
  std::memcpy(&event, data.data(), sizeof(event));
  const size_t declared = event.strreset_length > sizeof(event) ? event.strreset_length - sizeof(event) : 0;
  const size_t count = std::min(declared, data.size() - sizeof(event)) / sizeof(uint16_t);
  std::vector<uint16_t> streams(count);
  if (count > 0) std::memcpy(streams.data(), data.data() + sizeof(event), count * sizeof(uint16_t));
  if (count == 0 && (event.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) != 0) {
    for (auto& [stream_id, channel] : channels_) streams.push_back(stream_id);  // all streams were reset
  }
  if ((event.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0) {
    LOG_WARN("sctp_stream_reset_refused", {"association", id_}, {"flags", event.strreset_flags});
    for (uint16_t stream_id : streams) resetting_streams_.erase(stream_id);
    FlushStreamResets();
    return;
  }
  std::vector<uint16_t> closed;
  for (uint16_t stream_id : streams) {
    if ((event.strreset_flags & SCTP_STREAM_RESET_OUTGOING_SSN) != 0) resetting_streams_.erase(stream_id);
    if ((event.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) == 0) continue;
    // RFC 8831 §6.7: the peer reset its outgoing stream; we reset ours in answer, and the
    // channel is closed.
    legacy_partials_.erase(stream_id);
    auto it = channels_.find(stream_id);
    if (it == channels_.end()) continue;
    if (!it->second->reset_requested_) {
      it->second->reset_requested_ = true;
      resetting_streams_.insert(stream_id);
      pending_resets_.push_back(stream_id);
    }
    closed.push_back(stream_id);
  }
  FlushStreamResets();
  const uintptr_t id = id_;
  for (uint16_t stream_id : closed) {
    RemoveChannel(stream_id, true);
    if (!StillAlive(id)) return;
  }
}

}  // namespace cascade::sctp
