#include "edge/EdgeNode.hpp"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "core/base/Log.hpp"
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
    all.insert({"auth.secret", "web.root", "edge.publisher_max_bitrate"});
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
  options.room = common::RoomOptionsFromConfig(config);
  return options;
}

EdgeNode::EdgeNode(common::NodeSettings settings, EdgeOptions options)
    : options_(std::move(options)),
      tokens_(options_.auth_secret.empty() ? kLocalDevelopmentSecret : options_.auth_secret) {
  runtime_ = std::make_unique<common::NodeRuntime>(control::NodeRole::kEdge, std::move(settings), this);
  media_ = std::make_unique<common::MediaPlane>(*runtime_, options_.room);
  runtime_->on_command = [this](const control::ControlMessage& command, control::CommandResult& result) {
    media_->ApplyCommand(command, result);
  };
  identity_.fingerprint = media_->fingerprint();
  identity_.candidate_ip = runtime_->settings().announce_ip;
  identity_.candidate_port = runtime_->media_socket().local_address().port();
  AddRoutes();
  RegisterMetrics();
  if (options_.auth_secret.empty()) {
    LOG_WARN("edge.development_tokens", {"node", runtime_->settings().node_id},
             {"reason", "auth.secret is not set: GET /api/token hands out tokens to anyone"});
  }
}

// Sessions and links go before the runtime whose socket and loop they use.
EdgeNode::~EdgeNode() { media_.reset(); }

void EdgeNode::RegisterMetrics() {
  auto& metrics = runtime_->metrics();
  for (SessionKind kind : {SessionKind::kPublisher, SessionKind::kViewer}) {
    metrics.AddCallback("cascade_edge_sessions", "WHIP/WHEP sessions on this edge", false,
                        {{"kind", ToString(kind)}},
                        [this, kind] { return static_cast<double>(media_->session_count(kind)); });
  }
  metrics.AddCallback("cascade_edge_sessions_created_total", "WHIP/WHEP sessions created", true, {},
                      [this] { return static_cast<double>(sessions_created_); });
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

void EdgeNode::HandleOffer(net::HttpRequest& request, const net::HttpRespond& respond, SessionKind kind) {
  const std::string room_name = request.params["room"];
  Authorize(request, room_name, kind == SessionKind::kPublisher ? TokenRole::kPublish : TokenRole::kWatch);
  std::string_view content_type = request.Header("content-type");
  if (!content_type.starts_with("application/sdp")) {
    throw net::HttpError(415, "Content-Type must be application/sdp");
  }
  if (kind == SessionKind::kPublisher) {
    if (common::Room* room = media_->FindRoom(room_name)) {
      if (room->publisher()) throw net::HttpError(409, "room already has a publisher");
      if (room->parent()) throw net::HttpError(409, "room is fed from another node: publish at its origin");
    }
  }
  uint32_t audio_ssrc = kind == SessionKind::kViewer ? media_->AllocateSsrc() : 0;
  uint32_t video_ssrc = kind == SessionKind::kViewer ? media_->AllocateSsrc() : 0;
  NegotiatedSession negotiated = Negotiate(request.body, kind, identity_, audio_ssrc, video_ssrc, "cascade");
  std::string answer = negotiated.answer_sdp;
  std::string id = RandomHex(12);
  auto transport_config = negotiated.transport;
  auto session = std::make_unique<common::ClientSession>(id, room_name, kind, std::move(negotiated),
                                                         audio_ssrc, video_ssrc);
  session->set_transport(std::make_unique<transport::WebRtcTransport>(
      runtime_->media_socket(), media_->dtls_context(), runtime_->loop().clock(), transport_config,
      media_.get(), &media_->transport_drops()));
  session->created_us = runtime_->loop().clock().NowUs();
  media_->AddSession(std::move(session));
  ++sessions_created_;
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
  common::ClientSession* session = media_->FindSession(request.params["session"]);
  if (!session || session->room() != room) throw net::HttpError(404, "no such session");
  media_->DestroySession(session->id(), "deleted");
  respond(net::HttpResponse::Text(200, "session ended\n"));
}

}  // namespace cascade::edge
