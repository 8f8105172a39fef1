#include "control/server/ClientEntry.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "auth/DevelopmentTokens.hpp"
#include "core/base/Clock.hpp"
#include "core/base/Log.hpp"
#include "core/net/StaticFiles.hpp"
#include "topology/io/DataPath.hpp"

#ifndef CASCADE_SOURCE_DIR
#define CASCADE_SOURCE_DIR "."
#endif

namespace cascade::control {
namespace {

constexpr const char* kDefaultLatencyMatrix = "data/latency/gcp_2020_matrix_avg_ms.csv";
constexpr const char* kDefaultRegionCoordinates = "data/latency/gcp_2020_regions.csv";

uint64_t NowSeconds() { return base::WallClockUs() / 1'000'000; }

// A relative data path that is not found from here is taken from the source tree, so the
// binary finds its data wherever it is started (as tools/cascade does for `cascade up`).

template <typename Enum>
std::string AllowedValues() {
  std::string out;
  for (uint8_t i = 0; i < static_cast<uint8_t>(Enum::kCount); ++i) {
    out += (out.empty() ? "" : "|") + std::string(topology::ToString(static_cast<Enum>(i)));
  }
  return out;
}

topology::Threshold ParseThreshold(const base::Config& config, const std::string& key,
                                   topology::Threshold fallback) {
  if (!config.Has(key)) return fallback;
  const std::string text = config.GetString(key, "");
  const auto comma = text.find(',');
  topology::Threshold out;
  auto parse = [](std::string_view part, double& value) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    return ec == std::errc() && end == part.data() + part.size();
  };
  if (comma == std::string::npos || !parse(std::string_view(text).substr(0, comma), out.no_new_sessions) ||
      !parse(std::string_view(text).substr(comma + 1), out.no_new_users) || out.no_new_sessions <= 0 ||
      out.no_new_sessions > out.no_new_users || out.no_new_users > 1) {
    throw base::ConfigError(
        "config key '" + key +
        "': expected two fractions \"no_new_sessions,no_new_users\" with 0 < a <= b <= 1, got \"" + text +
        "\"");
  }
  return out;
}

}  // namespace

const char* ToString(EntryRefusal refusal) {
  switch (refusal) {
    case EntryRefusal::kMissingToken: return "missing_token";
    case EntryRefusal::kTokenMalformed: return "malformed";
    case EntryRefusal::kTokenBadSignature: return "bad_signature";
    case EntryRefusal::kTokenExpired: return "expired";
    case EntryRefusal::kWrongRoom: return "wrong_room";
    case EntryRefusal::kWrongRole: return "wrong_role";
    case EntryRefusal::kBadPolicy: return "bad_policy";
    case EntryRefusal::kBadMode: return "bad_mode";
    case EntryRefusal::kNoEdge: return "no_edge";
    case EntryRefusal::kFull: return "full";
    case EntryRefusal::kCount: break;
  }
  return "?";
}

EntrySettings::EntrySettings()
    : web_root(CASCADE_WEB_DIR),
      latency_matrix(kDefaultLatencyMatrix),
      region_coordinates(kDefaultRegionCoordinates) {}

const std::set<std::string>& EntrySettings::KnownKeys() {
  static const std::set<std::string> keys = {"auth.secret",
                                             "auth.grant_ttl_s",
                                             "control.placement",
                                             "control.region_mode",
                                             "control.latency_matrix",
                                             "placement.region_coordinates",
                                             "placement.trusted_proxies",
                                             "placement.cidr_table",
                                             "placement.mmdb",
                                             "placement.retry_after_s",
                                             "placement.full.sessions",
                                             "placement.full.users",
                                             "placement.full.cpu",
                                             "placement.full.network",
                                             "web.root"};
  return keys;
}

EntrySettings EntrySettings::FromConfig(const base::Config& config) {
  EntrySettings s;
  s.auth_secret = config.GetString("auth.secret", "");
  if (!s.auth_secret.empty() && s.auth_secret.size() < 16) {
    throw base::ConfigError("config key 'auth.secret': must be at least 16 characters");
  }
  s.grant_ttl_s = static_cast<uint32_t>(config.GetInt("auth.grant_ttl_s", s.grant_ttl_s, 1, 600));
  const std::string placement = config.GetString("control.placement", topology::ToString(s.policy));
  auto policy = topology::ParseDcPolicy(placement.c_str());
  if (!policy) {
    throw base::ConfigError("config key 'control.placement': expected " +
                            AllowedValues<topology::DcPolicy>() + ", got \"" + placement + "\"");
  }
  s.policy = *policy;
  const std::string mode_name = config.GetString("control.region_mode", topology::ToString(s.mode));
  auto mode = topology::ParseRegionMode(mode_name.c_str());
  if (!mode) {
    throw base::ConfigError("config key 'control.region_mode': expected " +
                            AllowedValues<topology::RegionMode>() + ", got \"" + mode_name + "\"");
  }
  s.mode = *mode;
  s.latency_matrix = config.GetString("control.latency_matrix", s.latency_matrix);
  // The default coordinates belong to the default matrix; another matrix names its own.
  s.region_coordinates = config.GetString(
      "placement.region_coordinates", s.latency_matrix == kDefaultLatencyMatrix ? s.region_coordinates : "");
  s.locator.trusted_proxies = config.GetString("placement.trusted_proxies", "");
  s.locator.cidr_table = config.GetString("placement.cidr_table", "");
  s.locator.mmdb = config.GetString("placement.mmdb", "");
  s.retry_after_s = static_cast<uint32_t>(config.GetInt("placement.retry_after_s", s.retry_after_s, 1, 3600));
  s.thresholds.sessions = ParseThreshold(config, "placement.full.sessions", s.thresholds.sessions);
  s.thresholds.users = ParseThreshold(config, "placement.full.users", s.thresholds.users);
  s.thresholds.cpu = ParseThreshold(config, "placement.full.cpu", s.thresholds.cpu);
  s.thresholds.network = ParseThreshold(config, "placement.full.network", s.thresholds.network);
  s.web_root = config.GetString("web.root", s.web_root);
  return s;
}

ClientEntry::ClientEntry(const NodeRegistry& registry, EntrySettings settings, const TreeCommands* tree)
    : registry_(registry),
      tree_(tree),
      settings_(std::move(settings)),
      tokens_(settings_.auth_secret.empty() ? auth::kLocalDevelopmentSecret : settings_.auth_secret),
      grants_(settings_.auth_secret.empty() ? auth::kLocalDevelopmentSecret : settings_.auth_secret) {
  try {
    regions_ = std::make_unique<RegionMap>(
        RegionMap::Load(topology::io::ResolveDataPath(settings_.latency_matrix),
                        topology::io::ResolveDataPath(settings_.region_coordinates)));
  } catch (const std::runtime_error& error) {
    if (settings_.latency_matrix != kDefaultLatencyMatrix) {
      throw std::runtime_error(std::string("config key 'control.latency_matrix': ") + error.what());
    }
    // Installed without the source tree: every region is unknown, placement by policy only.
    LOG_WARN("control.no_latency_matrix", {"error", error.what()});
    regions_ = std::make_unique<RegionMap>(topology::LatencyMatrix(std::vector<std::string>{}));
  }
  locator_ = std::make_unique<ClientLocator>(*regions_, settings_.locator);
  placer_ = std::make_unique<EdgePlacer>(registry_, *regions_, settings_.thresholds);
}

ClientEntry::~ClientEntry() = default;

const RoomPlacement* ClientEntry::room(const std::string& name) const {
  auto found = rooms_.find(name);
  return found == rooms_.end() ? nullptr : &found->second;
}

bool ClientEntry::IsLiveEdge(const std::string& id) const {
  auto node = registry_.nodes().find(id);
  return node != registry_.nodes().end() && node->second.alive && node->second.hello.role == NodeRole::kEdge;
}

base::Result<Placement, PlacementRefusal> ClientEntry::Place(const Request& request, RoomPlacement& room,
                                                             bool record) {
  PlacementRequest placement{request.publish, request.client_region,      request.mode,
                             request.policy,  request.application_region, {}};
  // Only trees an operator made bind placement; control's own trees follow the clients.
  if (tree_ && tree_->OperatorOwned(request.room)) {
    auto nodes = tree_->NodesOf(request.room);
    if (!nodes.empty()) {
      if (request.publish) {
        auto root = tree_->RootOf(request.room);
        if (root && IsLiveEdge(*root)) {
          ++room.edges[*root];
          return Placement{*root, regions_->Of(registry_.nodes().at(*root).hello.region)};
        }
      } else {
        // Every edge of a hand-made tree carries the room: a viewer there is one more user.
        for (const auto& id : nodes) room.edges.try_emplace(id, 0);
        placement.allowed = [nodes](const std::string& id) {
          return std::find(nodes.begin(), nodes.end(), id) != nodes.end();
        };
      }
    }
  }
  return record ? placer_->Place(placement, room) : placer_->Preview(placement, room);
}

std::optional<std::string> ClientEntry::EntryFor(const std::string& room, bool publish) {
  auto placed = Place({room, publish, regions_->unknown(), settings_.mode, settings_.policy, std::nullopt},
                      rooms_[room], true);
  if (!placed.ok()) return std::nullopt;
  return placed->edge_id;
}

void ClientEntry::Refuse(EntryRefusal reason, int status, const std::string& message) {
  ++refusals_[static_cast<size_t>(reason)];
  throw net::HttpError(status, message);
}

auth::TokenClaims ClientEntry::Authorize(const net::HttpRequest& request, const std::string& room,
                                         auth::TokenRole role) {
  std::string_view header = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!header.starts_with(kBearer)) {
    Refuse(EntryRefusal::kMissingToken, 401, "missing bearer token (Authorization: Bearer ...)");
  }
  auto claims = tokens_.Verify(header.substr(kBearer.size()), NowSeconds());
  if (!claims.ok()) {
    const EntryRefusal reason = claims.error() == auth::TokenError::kExpired ? EntryRefusal::kTokenExpired
                                : claims.error() == auth::TokenError::kBadSignature
                                    ? EntryRefusal::kTokenBadSignature
                                    : EntryRefusal::kTokenMalformed;
    Refuse(reason, 401, std::string("token rejected: ") + auth::ToString(claims.error()));
  }
  if (claims->room != room) {
    Refuse(EntryRefusal::kWrongRoom, 403, "token is for room '" + claims->room + "', not '" + room + "'");
  }
  if (claims->role != role) {
    Refuse(EntryRefusal::kWrongRole, 403,
           std::string("token allows ") + auth::ToString(claims->role) + ", not " + auth::ToString(role));
  }
  return *claims;
}

void ClientEntry::HandlePost(net::HttpRequest& request, const net::HttpRespond& respond, bool publish) {
  const std::string room = request.params["room"];
  const auth::TokenRole role = publish ? auth::TokenRole::kPublish : auth::TokenRole::kWatch;
  const auth::TokenClaims claims = Authorize(request, room, role);

  Request wanted{room, publish, 0, settings_.mode, settings_.policy, std::nullopt};
  if (auto bad = ApplyChoices(request.QueryParam("policy"), request.QueryParam("mode"), wanted))
    Refuse(bad->first, 400, bad->second);
  if (std::string name = request.QueryParam("region"); !name.empty())
    wanted.application_region = regions_->Of(name);
  const ClientLocation location =
      locator_->Locate(claims.region, request.peer, request.Header("x-forwarded-for"));
  wanted.client_region = location.region;

  auto known = rooms_.find(room);
  const bool stale =
      known == rooms_.end() ||
      (!publish && wanted.mode == topology::RegionMode::kSenderDecides && !known->second.regions.publisher);
  if (room_store_ && stale) {
    // Another replica may have placed this room's first users: their regions anchor the mode.
    room_store_->Load(room,
                      [this, wanted, claims, location, respond](std::optional<SharedRoomRegions> shared) {
                        if (shared) TakeShared(wanted.room, *shared);
                        PlaceAndRedirect(wanted, claims, location, respond);
                      });
    return;
  }
  PlaceAndRedirect(wanted, claims, location, respond);
}

void ClientEntry::TakeShared(const std::string& room, const SharedRoomRegions& shared) {
  topology::RoomRegions& regions = rooms_[room].regions;
  if (!shared.first_user.empty()) regions.first_user = regions_->Of(shared.first_user);
  if (!shared.publisher.empty()) regions.publisher = regions_->Of(shared.publisher);
}

void ClientEntry::ShareRegions(const std::string& room, const topology::RoomRegions& before) {
  const topology::RoomRegions& now = rooms_[room].regions;
  if (!room_store_ || (now.first_user == before.first_user && now.publisher == before.publisher)) return;
  SharedRoomRegions shared;
  if (now.first_user) shared.first_user = regions_->Name(*now.first_user);
  if (now.publisher) shared.publisher = regions_->Name(*now.publisher);
  // Two replicas may place a room's first users at once: the first recorded stays first.
  room_store_->Save(room, shared, [this, room](std::optional<SharedRoomRegions> recorded) {
    if (recorded) TakeShared(room, *recorded);
  });
}

void ClientEntry::PlaceAndRedirect(const Request& wanted, const auth::TokenClaims& claims,
                                   const ClientLocation& location, const net::HttpRespond& respond) {
  const std::string& room = wanted.room;
  const bool publish = wanted.publish;
  const auth::TokenRole role = publish ? auth::TokenRole::kPublish : auth::TokenRole::kWatch;
  const topology::RoomRegions before = rooms_[room].regions;
  auto placed = Place(wanted, rooms_[room], true);
  if (!placed.ok()) {
    const bool full = placed.error() == PlacementRefusal::kFull;
    ++refusals_[static_cast<size_t>(full ? EntryRefusal::kFull : EntryRefusal::kNoEdge)];
    respond(net::HttpResponse::Text(503, full ? "every edge is full: try again later\n"
                                              : "no edge is available: try again later\n")
                .Set("Retry-After", std::to_string(settings_.retry_after_s)));
    return;
  }
  ++placements_[static_cast<size_t>(location.source)];
  ShareRegions(room, before);
  const auto& record = registry_.nodes().at(placed->edge_id);
  const uint64_t now = NowSeconds();
  const std::string grant =
      grants_.Issue({room, role, placed->edge_id, claims.id,
                     std::min<uint64_t>(now + settings_.grant_ttl_s, claims.expires_at_s)});
  LOG_DEBUG("control.placed", {"room", room}, {"role", auth::ToString(role)}, {"edge", placed->edge_id},
            {"region", regions_->Name(placed->region)}, {"client_region", regions_->Name(location.region)},
            {"located_by", ToString(location.source)}, {"address", location.address});
  if (on_placed) on_placed(room, placed->edge_id, publish);
  net::HttpResponse response;
  response.status = 307;
  response.Set("Location",
               record.hello.http_url + (publish ? "/whip/" : "/whep/") + room + "?grant=" + grant);
  respond(std::move(response));
}

std::optional<std::pair<EntryRefusal, std::string>> ClientEntry::ApplyChoices(const std::string& policy_name,
                                                                              const std::string& mode_name,
                                                                              Request& wanted) const {
  if (!policy_name.empty()) {
    auto policy = topology::ParseDcPolicy(policy_name.c_str());
    if (!policy) {
      return std::pair{EntryRefusal::kBadPolicy, "unknown policy '" + policy_name + "': expected " +
                                                     AllowedValues<topology::DcPolicy>()};
    }
    wanted.policy = *policy;
  }
  if (!mode_name.empty()) {
    auto mode = topology::ParseRegionMode(mode_name.c_str());
    if (!mode) {
      return std::pair{EntryRefusal::kBadMode, "unknown region mode '" + mode_name + "': expected " +
                                                   AllowedValues<topology::RegionMode>()};
    }
    wanted.mode = *mode;
  }
  return std::nullopt;
}

ClientEntry::PreviewResult ClientEntry::Preview(const Hypothetical& client) {
  Request wanted{client.room, client.publish, 0, settings_.mode, settings_.policy, std::nullopt};
  if (auto bad = ApplyChoices(client.policy, client.mode, wanted)) throw net::HttpError(400, bad->second);
  if (!client.application_region.empty()) wanted.application_region = regions_->Of(client.application_region);
  PreviewResult result;
  result.location = locator_->Locate(client.token_region, client.peer, client.forwarded_for);
  result.forwarded = result.location.address != client.peer.ip();
  result.mode = wanted.mode;
  result.policy = wanted.policy;
  wanted.client_region = result.location.region;
  auto found = rooms_.find(client.room);
  RoomPlacement room = found == rooms_.end() ? RoomPlacement{} : found->second;
  auto placed = Place(wanted, room, false);
  if (placed.ok()) {
    result.placed = *placed;
  } else {
    result.refusal = placed.error();
  }
  return result;
}

void ClientEntry::AddOperatorRoutes(net::HttpRouter& router) {
  router.Add("GET", "/api/place", [this](net::HttpRequest& request, net::HttpRespond respond) {
    auto refuse = [&](int status, const std::string& error) {
      respond(net::HttpResponse::Json(status, nlohmann::json{{"ok", false}, {"error", error}}.dump()));
    };
    Hypothetical client;
    client.room = request.QueryParam("room");
    const std::string role = request.QueryParam("role").empty() ? "watch" : request.QueryParam("role");
    const std::string ip = request.QueryParam("ip");
    auto peer = net::SocketAddress::Parse(ip, 0);
    if (client.room.empty()) return refuse(400, "need ?room=NAME");
    if (role != "watch" && role != "publish")
      return refuse(400, "role must be watch or publish, not '" + role + "'");
    if (!peer) return refuse(400, "need ?ip=ADDRESS (the client's IPv4 or IPv6 address), got '" + ip + "'");
    client.publish = role == "publish";
    client.peer = *peer;
    client.token_region = request.QueryParam("region");
    client.forwarded_for = request.QueryParam("forwarded_for");
    client.policy = request.QueryParam("policy");
    client.mode = request.QueryParam("mode");
    client.application_region = request.QueryParam("app_region");
    PreviewResult preview;
    try {
      preview = Preview(client);
    } catch (const net::HttpError& error) {
      return refuse(error.status(), error.what());
    }
    nlohmann::json answer{{"room", client.room},
                          {"role", role},
                          {"client_region", regions_->Name(preview.location.region)},
                          {"located_by", ToString(preview.location.source)},
                          {"address", preview.location.address},
                          {"forwarded", preview.forwarded},
                          {"mode", topology::ToString(preview.mode)},
                          {"policy", topology::ToString(preview.policy)}};
    if (!preview.placed) {
      const bool full = preview.refusal == PlacementRefusal::kFull;
      answer["ok"] = false;
      answer["reason"] = full ? "full" : "no_edge";
      answer["error"] = full ? "every edge is full" : "no edge is available";
      respond(net::HttpResponse::Json(503, answer.dump()));
      return;
    }
    answer["ok"] = true;
    answer["edge"] = preview.placed->edge_id;
    answer["edge_region"] = regions_->Name(preview.placed->region);
    answer["edge_url"] = registry_.nodes().at(preview.placed->edge_id).hello.http_url;
    respond(net::HttpResponse::Json(200, answer.dump()));
  });
}

void ClientEntry::AddRoutes(net::HttpRouter& router) {
  router.Add("POST", "/whip/{room}", [this](net::HttpRequest& request, net::HttpRespond respond) {
    HandlePost(request, respond, true);
  });
  router.Add("POST", "/whep/{room}", [this](net::HttpRequest& request, net::HttpRespond respond) {
    HandlePost(request, respond, false);
  });
  if (settings_.auth_secret.empty()) {
    auth::AddDevelopmentTokenRoute(router, tokens_);
    LOG_WARN("control.development_tokens",
             {"reason", "auth.secret is not set: GET /api/token hands out tokens to anyone"});
  }
  if (!settings_.web_root.empty()) net::AddStaticFiles(router, "/web", settings_.web_root, "watch.html");
}

void ClientEntry::RegisterMetrics(base::MetricsRegistry& metrics) const {
  for (size_t i = 0; i < refusals_.size(); ++i) {
    metrics.AddCallback("cascade_control_entry_refusals_total", "WHIP/WHEP entry requests refused, by reason",
                        true, {{"reason", ToString(static_cast<EntryRefusal>(i))}},
                        [this, i] { return static_cast<double>(refusals_[i]); });
  }
  for (size_t i = 0; i < placements_.size(); ++i) {
    metrics.AddCallback("cascade_control_entry_placements_total",
                        "clients sent to an edge (307), by where their region came from", true,
                        {{"located_by", ToString(static_cast<LocationSource>(i))}},
                        [this, i] { return static_cast<double>(placements_[i]); });
  }
}

}  // namespace cascade::control
