#include "control/server/ControlDaemon.hpp"

#include "core/base/Log.hpp"

namespace cascade::control {

const std::set<std::string>& ControlSettings::KnownKeys() {
  static const std::set<std::string> keys = {
      "http.listen",         "control.listen", "control.heartbeat_ms", "log.level",
      "control.certificate", "control.key",    "control.placement"};
  return keys;
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
  std::string placement = config.GetString("control.placement", "least-used");
  auto policy = topology::ParseDcPolicy(placement.c_str());
  if (!policy) {
    throw base::ConfigError(
        "config key 'control.placement': expected packing|least-used|round-robin|random, got \"" + placement +
        "\"");
  }
  s.placement = *policy;
  s.certificate_file = config.GetString("control.certificate", "");
  s.key_file = config.GetString("control.key", "");
  if (s.certificate_file.empty() != s.key_file.empty()) {
    throw base::ConfigError("config keys 'control.certificate' and 'control.key' go together");
  }
  return s;
}

ControlDaemon::ControlDaemon(net::Loop& loop, ControlSettings settings)
    : loop_(loop), settings_(std::move(settings)) {
  certificate_ = settings_.certificate_file.empty()
                     ? dtls::Certificate::Generate("cascade-control", 365)
                     : dtls::Certificate::LoadPemFiles(settings_.certificate_file, settings_.key_file);
  http_ = std::make_unique<net::HttpServer>(loop_, settings_.http_address);
  ControlServer::Options options;
  options.heartbeat_interval_ms = settings_.heartbeat_interval_ms;
  server_ =
      std::make_unique<ControlServer>(loop_, settings_.channel_address, *certificate_, options, metrics_);
  server_->AddRoutes(http_->router());
  tree_ = std::make_unique<TreeCommands>(*server_);
  tree_->AddRoutes(http_->router());
  entry_ = std::make_unique<ClientEntry>(server_->registry(), settings_.placement, tree_.get());
  entry_->AddRoutes(http_->router());
  http_->RegisterMetrics(metrics_, {});
  http_->router().Add("GET", "/metrics", [this](net::HttpRequest&, net::HttpRespond respond) {
    respond(net::HttpResponse::Text(200, metrics_.RenderPrometheus())
                .Set("Content-Type", "text/plain; version=0.0.4"));
  });
  http_->router().Add("GET", "/healthz", [](net::HttpRequest&, net::HttpRespond respond) {
    respond(net::HttpResponse::Text(200, "ok\n"));
  });
  LOG_INFO("control.started", {"http", http_->local_address().ToString()},
           {"channel", server_->channel_address().ToString()}, {"fingerprint", fingerprint().ToString()});
}

}  // namespace cascade::control
