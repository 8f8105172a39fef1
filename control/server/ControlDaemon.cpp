#include "control/server/ControlDaemon.hpp"

#include "control/client/NodeProof.hpp"
#include "core/base/Log.hpp"

#include <openssl/rand.h>
#include <nlohmann/json.hpp>

namespace cascade::control {
namespace {

std::string RandomReplicaId() {
  uint8_t bytes[4];
  RAND_bytes(bytes, sizeof(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "control-";
  for (uint8_t b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

}  // namespace

const std::set<std::string>& ControlSettings::KnownKeys() {
  static const std::set<std::string> keys = {
      "http.listen",           "control.listen",      "control.heartbeat_ms", "log.level",
      "control.certificate",   "control.key",         "control.placement",    "control.operator_listen",
      "auth.node_secret",      "auth.operator_token", "trees.relay_fanout",   "trees.origin_fanout",
      "trees.detach_grace_ms", "control.redis",       "control.replica_id",   "control.leader_ttl_ms"};
  static const std::set<std::string> all = [] {
    std::set<std::string> merged = keys;
    merged.insert(EntrySettings::KnownKeys().begin(), EntrySettings::KnownKeys().end());
    return merged;
  }();
  return all;
}

ControlSettings ControlSettings::FromConfig(const base::Config& config) {
  ControlSettings s;
  auto address = [&](const std::string& key, const std::string& fallback) {
    std::string text = config.GetString(key, fallback);
    auto parsed = net::SocketAddress::ParseHostPort(text);
    if (!parsed) throw base::ConfigError("config key '" + key + "': expected ip:port, got \"" + text + "\"");
    return *parsed;
  };
  s.http_address = address("http.listen", "127.0.0.1:8080");
  s.channel_address = address("control.listen", "127.0.0.1:7000");
  s.heartbeat_interval_ms = static_cast<uint32_t>(config.GetInt("control.heartbeat_ms", 1000, 50, 60000));
  s.entry = EntrySettings::FromConfig(config);
  s.trees.thresholds = s.entry.thresholds;  // placement.full.*: the same "full" for relays
  s.trees.relay_fanout =
      static_cast<uint32_t>(config.GetInt("trees.relay_fanout", s.trees.relay_fanout, 2, 1000));
  s.trees.origin_fanout =
      static_cast<uint32_t>(config.GetInt("trees.origin_fanout", s.trees.origin_fanout, 1, 1000));
  s.trees.detach_grace_ms =
      static_cast<uint64_t>(config.GetInt("trees.detach_grace_ms", 15000, 0, 3'600'000));
  s.certificate_file = config.GetString("control.certificate", "");
  s.key_file = config.GetString("control.key", "");
  if (s.certificate_file.empty() != s.key_file.empty()) {
    throw base::ConfigError("config keys 'control.certificate' and 'control.key' go together");
  }
  if (!config.GetString("control.operator_listen", "").empty()) {
    s.operator_address = address("control.operator_listen", "");
  }
  auto secret = [&](const std::string& key, size_t min_size) {
    std::string value = config.GetString(key, "");
    if (!value.empty() && value.size() < min_size) {
      throw base::ConfigError("config key '" + key + "': must be at least " + std::to_string(min_size) +
                              " characters");
    }
    return value;
  };
  if (!config.GetString("control.redis", "").empty()) s.redis_address = address("control.redis", "");
  s.replica_id = config.GetString("control.replica_id", "");
  if (s.replica_id.empty()) s.replica_id = RandomReplicaId();
  s.leader_ttl_ms = static_cast<uint32_t>(config.GetInt("control.leader_ttl_ms", 2000, 300, 60000));
  s.node_secret = secret("auth.node_secret", kMinNodeSecretSize);
  s.operator_token = secret("auth.operator_token", OperatorAuth::kMinTokenSize);
  return s;
}

ControlDaemon::ControlDaemon(net::Loop& loop, ControlSettings settings)
    : loop_(loop), settings_(std::move(settings)), operator_auth_(settings_.operator_token) {
  certificate_ = settings_.certificate_file.empty()
                     ? dtls::Certificate::Generate("cascade-control", 365)
                     : dtls::Certificate::LoadPemFiles(settings_.certificate_file, settings_.key_file);
  http_ = std::make_unique<net::HttpServer>(loop_, settings_.http_address);
  if (settings_.operator_address) {
    operator_http_ = std::make_unique<net::HttpServer>(loop_, *settings_.operator_address);
  }
  // Both routers: an /api route added to the public one by mistake is still guarded.
  operator_auth_.Protect(http_->router());
  if (operator_http_) operator_auth_.Protect(operator_http_->router());
  operator_auth_.RegisterMetrics(metrics_);
  net::HttpRouter& operator_router = operator_http().router();
  ControlServer::Options options;
  options.heartbeat_interval_ms = settings_.heartbeat_interval_ms;
  options.node_secret = settings_.node_secret;
  server_ =
      std::make_unique<ControlServer>(loop_, settings_.channel_address, *certificate_, options, metrics_);
  server_->AddRoutes(operator_router);
  tree_ = std::make_unique<TreeCommands>(*server_);
  tree_->AddRoutes(operator_router);
  entry_ = std::make_unique<ClientEntry>(server_->registry(), settings_.entry, tree_.get());
  entry_->AddRoutes(http_->router());
  entry_->AddOperatorRoutes(operator_router);
  entry_->RegisterMetrics(metrics_);
  trees_ = std::make_unique<TreeController>(loop_, *server_, *tree_, &entry_->regions().latency(),
                                            settings_.trees, metrics_);
  server_->SetNodeObserver(
      [this](const std::string& node, ControlServer::NodeEvent event) { trees_->OnNodeEvent(node, event); });
  server_->SetParentLostObserver(
      [this](const std::string& child, const std::string& parent) { trees_->OnParentLost(child, parent); });
  entry_->on_placed = [this](const std::string& room, const std::string& edge, bool publish) {
    trees_->OnPlaced(room, edge, publish);
  };
  if (settings_.redis_address) StartRedis();
  operator_router.Add("GET", "/api/replica", [this](net::HttpRequest&, net::HttpRespond respond) {
    nlohmann::json body{{"replica_id", settings_.replica_id}, {"leader", leader()}, {"redis", nullptr}};
    if (redis_)
      body["redis"] = {{"address", redis_->address().ToString()}, {"connected", redis_->connected()}};
    respond(net::HttpResponse::Json(200, body.dump()));
  });
  http_->RegisterMetrics(metrics_, {});
  if (operator_http_) operator_http_->RegisterMetrics(metrics_, {{"listener", "operator"}});
  operator_router.Add("GET", "/metrics", [this](net::HttpRequest&, net::HttpRespond respond) {
    respond(net::HttpResponse::Text(200, metrics_.RenderPrometheus())
                .Set("Content-Type", "text/plain; version=0.0.4"));
  });
  for (net::HttpServer* server : {http_.get(), operator_http_.get()}) {
    if (!server) continue;
    server->router().Add("GET", "/healthz", [](net::HttpRequest&, net::HttpRespond respond) {
      respond(net::HttpResponse::Text(200, "ok\n"));
    });
  }
  if (!operator_auth_.enabled()) {
    LOG_WARN("control.open_operator_api", {"http", operator_http().local_address().ToString()},
             {"reason", "auth.operator_token is not set: anyone who reaches it can change the trees"});
  }
  LOG_INFO("control.started", {"http", http_->local_address().ToString()},
           {"operator_http", operator_http().local_address().ToString()},
           {"channel", server_->channel_address().ToString()}, {"fingerprint", fingerprint().ToString()},
           {"replica", settings_.replica_id},
           {"redis", settings_.redis_address ? settings_.redis_address->ToString() : std::string("none")});
}

void ControlDaemon::StartRedis() {
  redis_ = std::make_unique<RedisClient>(loop_, *settings_.redis_address, RedisClient::Options{});
  redis_->RegisterMetrics(metrics_);
  ssrc_ranges_ =
      std::make_unique<RedisSsrcRanges>(loop_, *redis_, server_->registry(), RedisSsrcRanges::Options{});
  ssrc_ranges_->RegisterMetrics(metrics_);
  server_->SetRangeClaimer(
      [this](const std::string& node, uint32_t claimed, std::function<void(std::optional<uint32_t>)> done) {
        ssrc_ranges_->Claim(node, claimed, std::move(done));
      });
  room_regions_ = std::make_unique<RedisRoomRegions>(*redis_, RedisRoomRegions::Options{});
  entry_->SetRoomRegionStore(room_regions_.get());
  // A replica leads only once Redis says so; until then it follows what nodes report.
  trees_->SetLeader(false);
  lease_ = std::make_unique<LeaderLease>(loop_, *redis_,
                                         LeaderLease::Options{settings_.replica_id, settings_.leader_ttl_ms},
                                         [this](bool leader) { trees_->SetLeader(leader); });
  lease_->RegisterMetrics(metrics_);
  redis_->Start();
}

}  // namespace cascade::control
