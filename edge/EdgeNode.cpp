#include "edge/EdgeNode.hpp"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "core/base/Log.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/net/StaticFiles.hpp"
#include "edge/Negotiation.hpp"

namespace cascade::edge {
namespace {

std::string RandomHex(size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  RAND_bytes(raw.data(), static_cast<int>(raw.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : raw) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

uint64_t NowSeconds() { return base::WallClockUs() / 1'000'000; }

}  // namespace

const std::set<std::string>& EdgeOptions::KnownKeys() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> all = common::NodeSettings::KnownKeys();
    all.insert({"auth.secret", "web.root", "edge.keyframe_interval_ms", "edge.publisher_max_bitrate"});
    return all;
  }();
  return keys;
}

EdgeOptions EdgeOptions::FromConfig(const base::Config& config) {
  EdgeOptions options;
  options.auth_secret = config.GetString("auth.secret", "");
  if (!options.auth_secret.empty() && options.auth_secret.size() < 16) {
    throw base::ConfigError("config key 'auth.secret': must be at least 16 characters");
  }
  options.web_root = config.GetString("web.root", CASCADE_WEB_DIR);
  options.room.keyframe_request_interval_us =
      static_cast<uint64_t>(config.GetInt("edge.keyframe_interval_ms", 300, 10, 10000)) * 1000;
  options.room.publisher_bitrate_cap_bps =
      static_cast<uint64_t>(config.GetInt("edge.publisher_max_bitrate", 5'000'000, 100'000, 100'000'000));
  return options;
}

EdgeNode::EdgeNode(common::NodeSettings settings, EdgeOptions options)
    : options_(std::move(options)),
      tokens_(options_.auth_secret.empty() ? kLocalDevelopmentSecret : options_.auth_secret) {
  runtime_ = std::make_unique<common::NodeRuntime>(control::NodeRole::kEdge, std::move(settings), this);
  certificate_ = dtls::Certificate::Generate("cascade-edge");
  dtls_context_ = std::make_unique<dtls::DtlsContext>(*certificate_);
  identity_.fingerprint = certificate_->fingerprint();
  identity_.candidate_ip = runtime_->settings().announce_ip;
  identity_.candidate_port = runtime_->media_socket().local_address().port();
  RAND_bytes(reinterpret_cast<uint8_t*>(&ssrc_fallback_base_), sizeof(ssrc_fallback_base_));
  ssrc_fallback_base_ |= 0x80000000u;  // above every range control hands out
  AddRoutes();
  RegisterMetrics();
  fast_timer_ = std::make_unique<net::Timer>(runtime_->loop(), [this] { OnFastTick(); });
  fast_timer_->Start(10, 10);
  slow_timer_ = std::make_unique<net::Timer>(runtime_->loop(), [this] { OnSlowTick(); });
  slow_timer_->Start(500, 500);
  if (options_.auth_secret.empty()) {
    LOG_WARN("edge.development_tokens", {"node", runtime_->settings().node_id},
             {"reason", "auth.secret is not set: GET /api/token hands out tokens to anyone"});
  }
}

EdgeNode::~EdgeNode() {
  // Transports reference the socket and DTLS context: they go first.
  rooms_.clear();
  sessions_.clear();
}

size_t EdgeNode::session_count(SessionKind kind) const {
  size_t n = 0;
  for (const auto& [id, session] : sessions_) n += session->kind() == kind ? 1 : 0;
  return n;
}

void EdgeNode::RegisterMetrics() {
  auto& metrics = runtime_->metrics();
  for (SessionKind kind : {SessionKind::kPublisher, SessionKind::kViewer}) {
    metrics.AddCallback("cascade_edge_sessions", "WHIP/WHEP sessions on this edge", false,
                        {{"kind", ToString(kind)}},
                        [this, kind] { return static_cast<double>(session_count(kind)); });
  }
  auto counter = [&](const char* name, const char* help, const uint64_t* field) {
    metrics.AddCallback(name, help, true, {}, [field] { return static_cast<double>(*field); });
  };
  counter("cascade_edge_packets_forwarded_total", "RTP packets sent to viewers",
          &counters_.packets_forwarded);
  counter("cascade_edge_bytes_forwarded_total", "RTP bytes sent to viewers (before SRTP)",
          &counters_.bytes_forwarded);
  counter("cascade_edge_packets_not_forwarded_total", "RTP packets a viewer could not take",
          &counters_.packets_not_forwarded);
  counter("cascade_edge_keyframe_requests_received_total", "PLI/FIR from viewers",
          &counters_.keyframe_requests_received);
  counter("cascade_edge_keyframe_requests_sent_total", "PLI sent to publishers (coalesced)",
          &counters_.keyframe_requests_sent);
  counter("cascade_edge_chat_messages_total", "chat data channel messages relayed", &counters_.chat_messages);
  counter("cascade_edge_nack_received_total", "NACK messages from viewers", &counters_.nacks_received);
  counter("cascade_edge_nack_resent_packets_total", "packets resent to viewers from the edge's cache",
          &counters_.nack_packets_resent);
  counter("cascade_edge_nack_not_in_cache_total", "NACKed packets the edge did not have",
          &counters_.nack_not_in_cache);
  counter("cascade_edge_nack_already_requested_total",
          "NACKed packets the edge is itself requesting upstream", &counters_.nack_already_requested);
  counter("cascade_edge_nack_suppressed_total", "NACKed packets resent to that viewer less than one RTT ago",
          &counters_.nack_suppressed);
  counter("cascade_edge_nack_sent_total", "NACK messages sent to publishers", &counters_.nacks_sent);
  counter("cascade_edge_nack_requested_seqs_total",
          "sequence numbers NACKed to publishers (retries included)", &counters_.nack_seqs_requested);
  counter("cascade_edge_nack_recovered_total", "packets lost from publishers that arrived after a NACK",
          &counters_.nack_recovered);
  counter("cascade_edge_nack_given_up_total", "packets lost from publishers the edge stopped NACKing",
          &counters_.nack_given_up);
  counter("cascade_edge_unmatched_packets_total", "datagrams from addresses with no session",
          &unmatched_packets_);
  counter("cascade_edge_sessions_created_total", "WHIP/WHEP sessions created", &sessions_created_);
  drops_.RegisterIn(metrics, "cascade_edge_dropped_packets_total", "packets dropped by a client transport");
  stun_errors_.RegisterIn(metrics, "cascade_stun_parse_errors_total", "STUN messages that failed to parse");
  dtls_context_->RegisterMetrics(metrics);
}

void EdgeNode::AddRoutes() {
  auto& router = runtime_->http().router();
  router.Add("POST", "/whip/{room}", [this](net::HttpRequest& request, net::HttpRespond respond) {
    HandleOffer(request, respond, SessionKind::kPublisher);
  });
  router.Add("POST", "/whep/{room}", [this](net::HttpRequest& request, net::HttpRespond respond) {
    HandleOffer(request, respond, SessionKind::kViewer);
  });
  for (const char* pattern : {"/whip/{room}/{session}", "/whep/{room}/{session}"}) {
    router.Add("DELETE", pattern, [this](net::HttpRequest& request, net::HttpRespond respond) {
      HandleDelete(request, respond);
    });
  }
  if (options_.auth_secret.empty()) {
    router.Add("GET", "/api/token", [this](net::HttpRequest& request, net::HttpRespond respond) {
      std::string room = request.QueryParam("room");
      std::string role = request.QueryParam("role");
      if (room.empty() || (role != "publish" && role != "watch")) {
        throw net::HttpError(400, "need ?room=NAME&role=publish|watch");
      }
      TokenClaims claims{room, role == "publish" ? TokenRole::kPublish : TokenRole::kWatch,
                         NowSeconds() + 3600, "dev-" + RandomHex(4)};
      respond(net::HttpResponse::Json(200, nlohmann::json{{"token", tokens_.Issue(claims)}}.dump()));
    });
  }
  net::AddStaticFiles(router, "/web", options_.web_root, "watch.html");
}

TokenClaims EdgeNode::Authorize(const net::HttpRequest& request, const std::string& room,
                                std::optional<TokenRole> role) {
  std::string_view header = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!header.starts_with(kBearer))
    throw net::HttpError(401, "missing bearer token (Authorization: Bearer ...)");
  auto claims = tokens_.Verify(header.substr(kBearer.size()), NowSeconds());
  if (!claims.ok()) throw net::HttpError(401, std::string("token rejected: ") + ToString(claims.error()));
  if (claims->room != room)
    throw net::HttpError(403, "token is for room '" + claims->room + "', not '" + room + "'");
  if (role && claims->role != *role) {
    throw net::HttpError(403,
                         std::string("token allows ") + ToString(claims->role) + ", not " + ToString(*role));
  }
  return *claims;
}

uint32_t EdgeNode::AllocateSsrc() {
  uint32_t base = runtime_->ssrc_range_start();
  ++ssrc_counter_;
  return base ? base + (ssrc_counter_ % (1u << 20)) : ssrc_fallback_base_ + ssrc_counter_;
}

Room& EdgeNode::RoomFor(const std::string& name) {
  auto& room = rooms_[name];
  if (!room) room = std::make_unique<Room>(name, options_.room, counters_);
  return *room;
}

void EdgeNode::HandleOffer(net::HttpRequest& request, const net::HttpRespond& respond, SessionKind kind) {
  const std::string room_name = request.params["room"];
  Authorize(request, room_name, kind == SessionKind::kPublisher ? TokenRole::kPublish : TokenRole::kWatch);
  std::string_view content_type = request.Header("content-type");
  if (!content_type.starts_with("application/sdp")) {
    throw net::HttpError(415, "Content-Type must be application/sdp");
  }
  if (kind == SessionKind::kPublisher) {
    auto it = rooms_.find(room_name);
    if (it != rooms_.end() && it->second->publisher())
      throw net::HttpError(409, "room already has a publisher");
  }
  uint32_t audio_ssrc = kind == SessionKind::kViewer ? AllocateSsrc() : 0;
  uint32_t video_ssrc = kind == SessionKind::kViewer ? AllocateSsrc() : 0;
  NegotiatedSession negotiated = Negotiate(request.body, kind, identity_, audio_ssrc, video_ssrc, "cascade");
  std::string answer = negotiated.answer_sdp;
  std::string id = RandomHex(12);
  auto transport_config = negotiated.transport;
  auto session =
      std::make_unique<EdgeSession>(id, room_name, kind, std::move(negotiated), audio_ssrc, video_ssrc);
  auto transport = std::make_unique<transport::WebRtcTransport>(
      runtime_->media_socket(), *dtls_context_, runtime_->loop().clock(), transport_config, this, &drops_);
  EdgeSession* raw = session.get();
  by_ufrag_[transport->local_ufrag()] = raw;
  by_transport_[transport.get()] = raw;
  session->set_transport(std::move(transport));
  session->created_us = runtime_->loop().clock().NowUs();
  sessions_[id] = std::move(session);
  ++sessions_created_;
  Room& room = RoomFor(room_name);
  if (kind == SessionKind::kPublisher) {
    room.SetPublisher(raw);
  } else {
    room.AddViewer(raw, raw->created_us);
  }
  LOG_INFO("edge.session_created", {"session", id}, {"room", room_name}, {"kind", ToString(kind)},
           {"peer", request.peer.ToString()});
  std::string location =
      std::string(kind == SessionKind::kPublisher ? "/whip/" : "/whep/") + room_name + "/" + id;
  net::HttpResponse response;
  response.status = 201;
  response.body = std::move(answer);
  response.Set("Content-Type", "application/sdp").Set("Location", location).Set("ETag", "\"" + id + "\"");
  respond(std::move(response));
}

void EdgeNode::HandleDelete(net::HttpRequest& request, const net::HttpRespond& respond) {
  const std::string& room = request.params["room"];
  Authorize(request, room, std::nullopt);
  auto it = sessions_.find(request.params["session"]);
  if (it == sessions_.end() || it->second->room() != room) throw net::HttpError(404, "no such session");
  DestroySession(it->first, "deleted");
  respond(net::HttpResponse::Text(200, "session ended\n"));
}

void EdgeNode::DestroySession(const std::string& id, const char* reason) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  EdgeSession* session = it->second.get();
  auto room = rooms_.find(session->room());
  if (room != rooms_.end()) {
    room->second->Remove(session);
    if (room->second->empty()) rooms_.erase(room);
  }
  if (session->has_transport()) {
    auto& transport = session->transport();
    by_ufrag_.erase(transport.local_ufrag());
    if (transport.selected_address()) by_address_.erase(*transport.selected_address());
    by_transport_.erase(&transport);
    transport.Close();
  }
  LOG_INFO("edge.session_ended", {"session", id}, {"room", session->room()},
           {"kind", ToString(session->kind())}, {"reason", reason});
  sessions_.erase(it);
}

EdgeSession* EdgeNode::SessionOf(transport::WebRtcTransport* transport) {
  auto it = by_transport_.find(transport);
  return it == by_transport_.end() ? nullptr : it->second;
}

void EdgeNode::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data, const net::SocketAddress& from) {
  auto kind = ice::PacketDemux::Classify(data);
  if (kind == ice::PacketKind::kStun) {
    auto message = ice::StunMessage::Parse(data);
    if (!message.ok()) {
      stun_errors_.Inc(message.error());
      return;
    }
    auto username = message->username();
    if (!username) {
      ++unmatched_packets_;
      return;
    }
    // RFC 8445 §7.3: the first half of USERNAME is our ufrag, which names the session.
    auto colon = username->find(':');
    auto it = by_ufrag_.find(std::string(username->substr(0, colon)));
    if (it == by_ufrag_.end()) {
      ++unmatched_packets_;
      return;
    }
    it->second->transport().ReceiveStun(*message, from);
    return;
  }
  auto it = by_address_.find(from);
  if (it == by_address_.end()) {
    ++unmatched_packets_;
    return;
  }
  auto& transport = it->second->transport();
  switch (kind) {
    case ice::PacketKind::kDtls: transport.ReceiveDtls(data, from); break;
    case ice::PacketKind::kRtp: transport.ReceiveRtp(data, from); break;
    case ice::PacketKind::kRtcp: transport.ReceiveRtcp(data, from); break;
    default: ++unmatched_packets_; break;
  }
}

void EdgeNode::OnWebRtcTransportAddressSelected(transport::WebRtcTransport* transport,
                                                const net::SocketAddress& address) {
  EdgeSession* session = SessionOf(transport);
  if (!session) return;
  std::erase_if(by_address_, [session](const auto& entry) { return entry.second == session; });
  by_address_[address] = session;
}

void EdgeNode::OnWebRtcTransportConnected(transport::WebRtcTransport* transport) {
  EdgeSession* session = SessionOf(transport);
  if (!session) return;
  uint64_t now = runtime_->loop().clock().NowUs();
  LOG_INFO("edge.session_connected", {"session", session->id()}, {"room", session->room()},
           {"kind", ToString(session->kind())}, {"setup_ms", (now - session->created_us) / 1000});
  if (session->kind() == SessionKind::kViewer) {
    auto room = rooms_.find(session->room());
    if (room != rooms_.end()) room->second->OnViewerConnected(session, now);
  }
}

void EdgeNode::OnWebRtcTransportRtp(transport::WebRtcTransport* transport, rtp::RtpPacket& packet) {
  EdgeSession* session = SessionOf(transport);
  if (!session || session->kind() != SessionKind::kPublisher) return;
  auto room = rooms_.find(session->room());
  if (room != rooms_.end()) room->second->OnPublisherRtp(packet, runtime_->loop().clock().NowUs());
}

void EdgeNode::OnWebRtcTransportRtcp(transport::WebRtcTransport* transport,
                                     std::span<const uint8_t> compound) {
  EdgeSession* session = SessionOf(transport);
  if (!session) return;
  auto room = rooms_.find(session->room());
  if (room == rooms_.end()) return;
  if (session->kind() == SessionKind::kPublisher) {
    room->second->OnPublisherRtcp(compound);
  } else {
    room->second->OnViewerRtcp(session, compound, runtime_->loop().clock().NowUs());
  }
}

void EdgeNode::OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport* transport,
                                                  const sctp::DataChannel& channel) {
  EdgeSession* session = SessionOf(transport);
  if (session && channel.label() == "chat") session->chat_stream = channel.stream_id();
}

void EdgeNode::OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport* transport, uint16_t stream_id,
                                                   sctp::DataChannelMessageType,
                                                   std::span<const uint8_t> data) {
  EdgeSession* session = SessionOf(transport);
  if (!session || session->chat_stream != stream_id) return;
  auto room = rooms_.find(session->room());
  if (room != rooms_.end()) room->second->OnChatMessage(session, data);
}

void EdgeNode::OnWebRtcTransportEnded(transport::WebRtcTransport* transport, transport::TransportEnd reason) {
  EdgeSession* session = SessionOf(transport);
  if (!session) return;
  LOG_INFO("edge.transport_ended", {"session", session->id()}, {"reason", transport::ToString(reason)});
  ended_sessions_.push_back(session->id());  // destroyed outside the transport's own call
}

void EdgeNode::DestroyEndedSessions() {
  auto ended = std::move(ended_sessions_);
  ended_sessions_.clear();
  for (const auto& id : ended) DestroySession(id, "transport ended");
}

void EdgeNode::OnFastTick() {
  uint64_t now_ms = runtime_->loop().clock().NowMs();
  uint32_t elapsed = last_fast_tick_ms_ ? static_cast<uint32_t>(now_ms - last_fast_tick_ms_) : 10;
  last_fast_tick_ms_ = now_ms;
  // usrsctp's timers follow real time (see SctpLibrary.hpp): feed it what really elapsed.
  sctp::SctpLibrary::HandleTimers(elapsed);
  for (auto& [id, session] : sessions_) session->transport().OnFastTick();
  DestroyEndedSessions();
}

void EdgeNode::OnSlowTick() {
  uint64_t now_us = runtime_->loop().clock().NowUs();
  for (auto& [id, session] : sessions_) session->transport().OnSlowTick(now_us / 1000);
  for (auto& [name, room] : rooms_) room->OnTick(now_us);
  DestroyEndedSessions();
}

}  // namespace cascade::edge
