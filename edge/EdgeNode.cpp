#include "edge/EdgeNode.hpp"

#include <system_error>

#include <nlohmann/json.hpp>

#include "auth/DevelopmentTokens.hpp"
#include "core/base/Log.hpp"
#include "core/ice/IceCredentials.hpp"
#include "core/net/StaticFiles.hpp"
#include "core/sdp/SdpParser.hpp"
#include "edge/Negotiation.hpp"
#include "media/MediaLoad.hpp"

namespace cascade::edge {
namespace {

// Sessions the media plane ended on its own (consent, DTLS) leave an entry in IceSessions;
// pruned this often, that map stays close to the number of live sessions.
constexpr uint64_t kPruneIntervalMs = 10'000;

// The mid a restart answer names when the client's fragment has none: the BUNDLE tag of our
// answer (RFC 9725 §4.3.2: only that section gathers candidates).
std::string BundleTagMid(const std::string& answer_sdp) {
  auto answer = sdp::ParseSdp(answer_sdp);
  if (!answer.ok()) return "";
  if (const auto* bundle = answer->BundleGroup(); bundle && !bundle->mids.empty())
    return bundle->mids.front();
  return "";
}

auth::TokenRole RoleOf(SessionKind kind) {
  return kind == SessionKind::kPublisher ? auth::TokenRole::kPublish : auth::TokenRole::kWatch;
}

}  // namespace

const std::set<std::string>& EdgeOptions::KnownKeys() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> all = media::NodeSettings::KnownKeys();
    all.insert({"auth.secret", "web.root", "edge.publisher_max_bitrate", "media.tcp", "ice.servers",
                "ice.username", "ice.credential"});
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
  options.room = media::RoomOptionsFromConfig(config);
  options.media_tcp = config.GetBool("media.tcp", true);
  options.ice = IceServerOptions::FromConfig(config);
  return options;
}

EdgeNode::EdgeNode(media::NodeSettings settings, EdgeOptions options) : options_(std::move(options)) {
  runtime_ = std::make_unique<media::NodeRuntime>(control::NodeRole::kEdge, std::move(settings), this);
  auth_ = std::make_unique<RequestAuth>(
      options_.auth_secret.empty() ? auth::kLocalDevelopmentSecret : options_.auth_secret,
      runtime_->settings().node_id);
  media_ = std::make_unique<media::MediaPlane>(*runtime_, options_.room);
  runtime_->on_command = [this](const control::ControlMessage& command, control::CommandResult& result) {
    media_->ApplyCommand(command, result);
  };
  runtime_->fill_load = [this](control::NodeLoad& load) { media::AddMediaLoad(*media_, load); };
  identity_.fingerprint = media_->fingerprint();
  identity_.candidate_ip = runtime_->settings().announce_ip;
  identity_.candidate_port = runtime_->media_socket().local_address().port();
  if (options_.media_tcp) {
    // The same IP and port as UDP: one address to announce and to open in a firewall.
    const net::SocketAddress address = runtime_->media_socket().local_address();
    try {
      ice_tcp_ = std::make_unique<IceTcpPort>(
          runtime_->loop(), address, [this](std::string_view ufrag) { return TransportOfUfrag(ufrag); });
    } catch (const std::system_error& error) {
      throw base::ConfigError("config key 'media.tcp': cannot listen for ICE-TCP on " + address.ToString() +
                              " (" + error.what() + "); free that TCP port or set media.tcp=false");
    }
    ice_tcp_->RegisterMetrics(runtime_->metrics());
    identity_.tcp_candidate = true;
  }
  ice_server_links_ = options_.ice.LinkHeaders();
  prune_timer_ = std::make_unique<net::Timer>(runtime_->loop(), [this] {
    ice_sessions_.Prune([this](const std::string& id) { return media_->FindSession(id) != nullptr; });
  });
  prune_timer_->Start(kPruneIntervalMs, kPruneIntervalMs);
  AddRoutes();
  RegisterMetrics();
  if (options_.auth_secret.empty()) {
    LOG_WARN("edge.development_tokens", {"node", runtime_->settings().node_id},
             {"reason", "auth.secret is not set: GET /api/token hands out tokens to anyone"});
  }
}

// Sessions and links go before the runtime whose socket and loop they use; their transports
// close the ICE-TCP connections they bound, then the port frees the rest.
EdgeNode::~EdgeNode() {
  prune_timer_.reset();
  media_.reset();
  ice_tcp_.reset();
}

transport::WebRtcTransport* EdgeNode::TransportOfUfrag(std::string_view local_ufrag) {
  const std::string* id = ice_sessions_.SessionOfUfrag(local_ufrag);
  media::ClientSession* session = id ? media_->FindSession(*id) : nullptr;
  if (!session || !session->has_transport() || session->transport().local_ufrag() != local_ufrag)
    return nullptr;
  return &session->transport();
}

void EdgeNode::RegisterMetrics() {
  auto& metrics = runtime_->metrics();
  auth_->RegisterMetrics(metrics);
  for (SessionKind kind : {SessionKind::kPublisher, SessionKind::kViewer}) {
    metrics.AddCallback("cascade_edge_sessions", "WHIP/WHEP sessions on this edge", false,
                        {{"kind", ToString(kind)}},
                        [this, kind] { return static_cast<double>(media_->session_count(kind)); });
  }
  metrics.AddCallback("cascade_edge_sessions_created_total", "WHIP/WHEP sessions created", true, {},
                      [this] { return static_cast<double>(sessions_created_); });
  for (const auto& entry : {std::pair{"trickle", &trickle_patches_}, std::pair{"restart", &ice_restarts_},
                            std::pair{"rejected", &rejected_patches_}}) {
    // clang 14 cannot capture a structured binding: capture the pointer itself.
    const uint64_t* field = entry.second;
    metrics.AddCallback("cascade_edge_ice_patches_total", "WHIP/WHEP PATCH requests by outcome", true,
                        {{"result", entry.first}}, [field] { return static_cast<double>(*field); });
  }
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
  router.Add("PATCH", "/whip/{room}/{session}", [this](net::HttpRequest& request, net::HttpRespond respond) {
    HandlePatch(request, respond, SessionKind::kPublisher);
  });
  router.Add("PATCH", "/whep/{room}/{session}", [this](net::HttpRequest& request, net::HttpRespond respond) {
    HandlePatch(request, respond, SessionKind::kViewer);
  });
  router.Add(
      "GET", "/whep/{room}/{session}/stats",
      [this](net::HttpRequest& request, net::HttpRespond respond) { HandleViewerStats(request, respond); });
  router.Add("PUT", "/whep/{room}/{session}/layer",
             [this](net::HttpRequest& request, net::HttpRespond respond) {
               HandleLayerPreference(request, respond);
             });
  if (options_.auth_secret.empty()) {
    auth::AddDevelopmentTokenRoute(router, auth_->tokens());
  }
  net::AddStaticFiles(router, "/web", options_.web_root, "watch.html");
}

void EdgeNode::HandleOffer(net::HttpRequest& request, const net::HttpRespond& respond, SessionKind kind) {
  const std::string room_name = request.params["room"];
  const Credential credential = auth_->Authorize(request, room_name, RoleOf(kind), true);
  std::string_view content_type = request.Header("content-type");
  if (!content_type.starts_with("application/sdp")) {
    throw net::HttpError(415, "Content-Type must be application/sdp");
  }
  if (kind == SessionKind::kPublisher) {
    if (media::Room* room = media_->FindRoom(room_name)) {
      if (room->publisher()) throw net::HttpError(409, "room already has a publisher");
      if (room->parent()) throw net::HttpError(409, "room is fed from another node: publish at its origin");
    }
  }
  uint32_t audio_ssrc = kind == SessionKind::kViewer ? media_->AllocateSsrc() : 0;
  uint32_t video_ssrc = kind == SessionKind::kViewer ? media_->AllocateSsrc() : 0;
  uint32_t video_rtx_ssrc = kind == SessionKind::kViewer ? media_->AllocateSsrc() : 0;
  NegotiatedSession negotiated =
      Negotiate(request.body, kind, identity_, audio_ssrc, video_ssrc, video_rtx_ssrc, "cascade");
  std::string answer = negotiated.answer_sdp;
  std::string id = auth::RandomHex(12);
  auto transport_config = negotiated.transport;
  auto session = std::make_unique<media::ClientSession>(id, room_name, kind, std::move(negotiated),
                                                        audio_ssrc, video_ssrc);
  session->set_transport(std::make_unique<transport::WebRtcTransport>(
      runtime_->media_socket(), media_->dtls_context(), runtime_->loop().clock(), transport_config,
      media_.get(), &media_->transport_drops()));
  session->created_us = runtime_->loop().clock().NowUs();
  session->owner_token_id = credential.token_id;
  const std::string local_ufrag = transport_config.local_ufrag;
  ice_sessions_.Set(id, {local_ufrag, transport_config.remote_ufrag, transport_config.remote_pwd});
  media_->AddSession(std::move(session));
  ++sessions_created_;
  LOG_INFO("edge.session_created", {"session", id}, {"room", room_name}, {"kind", ToString(kind)},
           {"peer", request.peer.ToString()});
  std::string location =
      std::string(kind == SessionKind::kPublisher ? "/whip/" : "/whep/") + room_name + "/" + id;
  net::HttpResponse response;
  response.status = 201;
  response.body = std::move(answer);
  response.Set("Content-Type", "application/sdp")
      .Set("Location", location)
      .Set("ETag", IceSessionEtag(local_ufrag))
      .Set("Accept-Patch", std::string(kTrickleIceSdpfrag));
  for (const auto& link : ice_server_links_) response.Set("Link", link);
  respond(std::move(response));
}

void EdgeNode::HandleDelete(net::HttpRequest& request, const net::HttpRespond& respond) {
  const std::string& room = request.params["room"];
  const Credential credential = auth_->Authorize(request, room, std::nullopt, false);
  media::ClientSession* session = media_->FindSession(request.params["session"]);
  if (!session || session->room() != room) throw net::HttpError(404, "no such session");
  auth_->RequireOwner(credential, RoleOf(session->kind()), session->owner_token_id);
  ice_sessions_.Remove(session->id());
  media_->DestroySession(session->id(), "deleted");
  respond(net::HttpResponse::Text(200, "session ended\n"));
}

media::ViewerSubscriber& EdgeNode::ViewerOf(net::HttpRequest& request, bool authorize) {
  const std::string& room_name = request.params["room"];
  // The resource URL's random session id is what a client holds after its POST; changing
  // what the viewer gets also needs its token, reading its stats does not.
  std::optional<Credential> credential;
  if (authorize) credential = auth_->Authorize(request, room_name, auth::TokenRole::kWatch, false);
  media::ClientSession* session = media_->FindSession(request.params["session"]);
  media::Room* room = session && session->room() == room_name ? media_->FindRoom(room_name) : nullptr;
  media::ViewerSubscriber* viewer = room ? room->FindViewer(session) : nullptr;
  if (!viewer) throw net::HttpError(404, "no such viewer session");
  if (credential) auth_->RequireOwner(*credential, auth::TokenRole::kWatch, session->owner_token_id);
  return *viewer;
}

void EdgeNode::HandleViewerStats(net::HttpRequest& request, const net::HttpRespond& respond) {
  media::ViewerSubscriber& viewer = ViewerOf(request, false);
  respond(net::HttpResponse::Json(200, viewer.StatsJson(runtime_->loop().clock().NowUs()).dump()));
}

void EdgeNode::HandleLayerPreference(net::HttpRequest& request, const net::HttpRespond& respond) {
  media::ViewerSubscriber& viewer = ViewerOf(request, true);
  auto preference = media::LayerPreference::Parse(request.body);
  if (!preference) {
    throw net::HttpError(400, media::LayerPreference::kSyntaxError);
  }
  viewer.SetPreference(*preference);
  respond(net::HttpResponse::Text(200, "layer preference set\n"));
}

void EdgeNode::HandlePatch(net::HttpRequest& request, const net::HttpRespond& respond, SessionKind kind) {
  try {
    const std::string& room = request.params["room"];
    const Credential credential = auth_->Authorize(request, room, RoleOf(kind), false);
    if (!HasMediaType(request.Header("content-type"), kTrickleIceSdpfrag)) {
      throw net::HttpError(415, "Content-Type must be application/trickle-ice-sdpfrag (RFC 8840)");
    }
    media::ClientSession* session = media_->FindSession(request.params["session"]);
    if (!session || session->room() != room || session->kind() != kind || !session->has_transport()) {
      throw net::HttpError(404, "no such session");
    }
    auth_->RequireOwner(credential, RoleOf(kind), session->owner_token_id);
    const IceSessions::Entry* ice = ice_sessions_.Find(session->id());
    if (!ice) throw net::HttpError(404, "no such session");
    IcePatch patch = ParseIcePatch(request.body, ice->remote_ufrag, ice->remote_pwd);
    CheckIfMatch(request.Header("if-match"), IceSessionEtag(session->transport().local_ufrag()), patch.kind);
    if (patch.kind == IcePatchKind::kRestart) {
      RestartIce(*session, patch, respond);
      return;
    }
    // ICE-lite (RFC 8445 §2.5): we never send checks, so the client's candidates change
    // nothing here; its checks from them are answered as they come.
    ++trickle_patches_;
    net::HttpResponse response;
    response.status = 204;
    respond(std::move(response));
  } catch (const net::HttpError&) {
    ++rejected_patches_;
    throw;
  }
}

void EdgeNode::RestartIce(media::ClientSession& session, const IcePatch& patch,
                          const net::HttpRespond& respond) {
  auto& transport = session.transport();
  const std::string old_ufrag = transport.local_ufrag();
  std::string ufrag = ice::RandomUfrag();
  std::string pwd = ice::RandomPassword();
  transport.RestartIce(ufrag, pwd, patch.remote_ufrag, patch.remote_pwd);
  media_->RekeyUfrag(old_ufrag, transport);
  ice_sessions_.Set(session.id(), {ufrag, patch.remote_ufrag, patch.remote_pwd});
  ++ice_restarts_;
  LOG_INFO("edge.ice_restart", {"session", session.id()}, {"room", session.room()},
           {"kind", ToString(session.kind())});
  net::HttpResponse response;
  response.status = 200;
  response.body = BuildRestartAnswer(patch.fragment, ufrag, pwd, LocalCandidates(identity_),
                                     BundleTagMid(session.negotiated().answer_sdp));
  response.Set("Content-Type", std::string(kTrickleIceSdpfrag)).Set("ETag", IceSessionEtag(ufrag));
  respond(std::move(response));
}

}  // namespace cascade::edge
