#include "media/NodeRuntime.hpp"

#include "control/client/NodeProof.hpp"
#include "core/base/Log.hpp"

namespace cascade::media {
namespace {

net::SocketAddress AddressKey(const base::Config& config, const std::string& key,
                              const std::string& fallback) {
  std::string text = config.GetString(key, fallback);
  auto address = net::SocketAddress::ParseHostPort(text);
  if (!address) throw base::ConfigError("config key '" + key + "': expected ip:port, got \"" + text + "\"");
  return *address;
}

// "a, b,c" -> {"a", "b", "c"}; "" -> {}.
std::string ControlList(const std::vector<NodeSettings::ControlReplica>& controls) {
  std::string out;
  for (const auto& replica : controls) out += (out.empty() ? "" : ",") + replica.address.ToString();
  return out;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    const size_t first = item.find_first_not_of(' ');
    const size_t last = item.find_last_not_of(' ');
    if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
    start = comma + 1;
  }
  return out;
}

}  // namespace

const std::set<std::string>& NodeSettings::KnownKeys() {
  static const std::set<std::string> keys = {
      "node.id",          "node.region",           "http.listen",         "media.listen",
      "media.announce",   "control.address",       "control.fingerprint", "media.keyframe_interval_ms",
      "log.level",        "capacity.max_sessions", "capacity.max_users",  "capacity.egress_bps",
      "auth.node_secret",
  };
  return keys;
}

NodeSettings NodeSettings::FromConfig(const base::Config& config, control::NodeRole role) {
  NodeSettings s;
  bool edge = role == control::NodeRole::kEdge;
  s.node_id = config.GetString("node.id", edge ? "edge-1" : "relay-1");
  if (s.node_id.empty()) throw base::ConfigError("config key 'node.id': must not be empty");
  s.region = config.GetString("node.region", "local");
  s.http_address = AddressKey(config, "http.listen", edge ? "127.0.0.1:8081" : "127.0.0.1:8091");
  s.media_address = AddressKey(config, "media.listen", edge ? "127.0.0.1:10000" : "127.0.0.1:10100");
  s.announce_ip = config.GetString("media.announce", s.media_address.ip());
  if (!net::SocketAddress::Parse(s.announce_ip, 0)) {
    throw base::ConfigError("config key 'media.announce': expected an IP address, got \"" + s.announce_ip +
                            "\"");
  }
  const std::vector<std::string> addresses = SplitList(config.GetString("control.address", "127.0.0.1:7000"));
  const std::vector<std::string> fingerprints = SplitList(config.GetString("control.fingerprint", ""));
  if (addresses.empty()) throw base::ConfigError("config key 'control.address': no address");
  if (fingerprints.size() != 1 && fingerprints.size() != addresses.size()) {
    throw base::ConfigError(
        "config key 'control.fingerprint': expected one fingerprint for every control.address (" +
        std::to_string(addresses.size()) + ") or one shared by all, got " +
        std::to_string(fingerprints.size()));
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    auto address = net::SocketAddress::ParseHostPort(addresses[i]);
    if (!address) {
      throw base::ConfigError("config key 'control.address': expected ip:port[,ip:port...], got \"" +
                              addresses[i] + "\"");
    }
    const std::string& fingerprint = fingerprints[fingerprints.size() == 1 ? 0 : i];
    auto parsed = dtls::Fingerprint::Parse(fingerprint);
    if (!parsed) {
      throw base::ConfigError(
          "config key 'control.fingerprint': expected \"sha-256 AB:CD:...\" as control prints it at "
          "start (event=control.started), got \"" +
          fingerprint + "\"");
    }
    s.controls.push_back({*address, *parsed});
  }
  s.node_secret = config.GetString("auth.node_secret", "");
  if (!s.node_secret.empty() && s.node_secret.size() < control::kMinNodeSecretSize) {
    throw base::ConfigError("config key 'auth.node_secret': must be at least " +
                            std::to_string(control::kMinNodeSecretSize) + " characters");
  }
  s.capacity.max_sessions = static_cast<uint32_t>(config.GetInt("capacity.max_sessions", 1000, 1, 1'000'000));
  s.capacity.max_users = static_cast<uint32_t>(config.GetInt("capacity.max_users", 10000, 1, 10'000'000));
  s.capacity.egress_bps =
      static_cast<uint64_t>(config.GetInt("capacity.egress_bps", 10'000'000'000, 1, INT64_MAX));
  return s;
}

NodeRuntime::NodeRuntime(control::NodeRole role, NodeSettings settings,
                         net::UdpSocket::Listener* media_listener)
    : role_(role), settings_(std::move(settings)) {
  certificate_ = dtls::Certificate::Generate("cascade-" + settings_.node_id);
  http_ = std::make_unique<net::HttpServer>(loop_, settings_.http_address);
  media_socket_ = std::make_unique<net::UdpSocket>(loop_, media_listener, settings_.media_address);
  http_->router().Add("GET", "/metrics", [this](net::HttpRequest&, net::HttpRespond respond) {
    respond(net::HttpResponse::Text(200, metrics_.RenderPrometheus())
                .Set("Content-Type", "text/plain; version=0.0.4"));
  });
  http_->router().Add("GET", "/api/media", [this](net::HttpRequest&, net::HttpRespond respond) {
    if (!describe_media) throw net::HttpError(404, "no media plane");
    respond(net::HttpResponse::Json(200, describe_media()));
  });
  http_->router().Add("GET", "/healthz", [this](net::HttpRequest&, net::HttpRespond respond) {
    respond(net::HttpResponse::Text(200, registered() ? "ok registered\n" : "ok unregistered\n"));
  });
  http_->RegisterMetrics(metrics_, {});
  media_socket_->RegisterMetrics(metrics_, {{"socket", "media"}});
  metrics_.AddCallback("cascade_process_resident_bytes", "resident memory of this process", false, {},
                       [] { return static_cast<double>(ProcessStats::ResidentBytes()); });
  metrics_.AddCallback("cascade_process_open_fds", "open file descriptors of this process", false, {},
                       [] { return static_cast<double>(ProcessStats::OpenFileDescriptors()); });
  metrics_.AddCallback("cascade_process_cpu_seconds_total", "user and system CPU time of this process", true,
                       {}, [] { return ProcessStats::CpuSeconds(); });

  control::NodeHello hello;
  hello.node_id = settings_.node_id;
  hello.role = role_;
  hello.region = settings_.region;
  hello.media_addresses.push_back({settings_.announce_ip, settings_.media_address.port(), "udp"});
  hello.http_url = "http://" + settings_.http_address.ToString();
  hello.capacity = settings_.capacity;
  hello.certificate_fingerprint = certificate_->fingerprint().ToString();
  hello.version = CASCADE_VERSION;
  for (const auto& replica : settings_.controls) {
    controls_.push_back(std::make_unique<control::ControlClient>(
        loop_, this, replica.address, replica.fingerprint, hello, settings_.node_secret));
    // One replica: the metrics keep their plain names; several: one series per replica.
    base::Labels labels;
    if (settings_.controls.size() > 1) labels = {{"control", replica.address.ToString()}};
    controls_.back()->RegisterMetrics(metrics_, labels);
  }
  metrics_.AddCallback("cascade_control_ssrc_range_conflicts_total",
                       "control replicas that acked another SSRC range than the one this node keeps", true,
                       {}, [this] { return static_cast<double>(range_conflicts_); });
}

bool NodeRuntime::registered() const {
  for (const auto& client : controls_) {
    if (client->registered()) return true;
  }
  return false;
}

bool NodeRuntime::ReportToControl(const control::ControlBody& body) {
  bool told = false;
  for (const auto& client : controls_) told = client->Report(body) || told;
  return told;
}

NodeRuntime::~NodeRuntime() = default;

void NodeRuntime::Run() {
  signals_ = std::make_unique<net::SignalWatch>(loop_, [this](int signum) {
    LOG_INFO("node.stopping", {"node", settings_.node_id}, {"signal", signum});
    loop_.Stop();
  });
  LOG_INFO("node.started", {"node", settings_.node_id}, {"role", control::ToString(role_)},
           {"region", settings_.region}, {"http", settings_.http_address.ToString()},
           {"media", media_socket_->local_address().ToString()},
           {"gso", media_socket_->gso_enabled() ? 1 : 0}, {"control", ControlList(settings_.controls)});
  for (const auto& client : controls_) client->Start();
  loop_.Run();
}

void NodeRuntime::OnControlClientRegistered(const control::HelloAck& ack) {
  heartbeat_interval_ms_ = ack.heartbeat_interval_ms;
  // A range without a size would be no range (and a division by zero when allocating).
  const uint32_t start = ack.ssrc_range_size ? ack.ssrc_range_start : 0;
  if (ssrc_range_start_ == 0 || start == ssrc_range_start_) {
    ssrc_range_size_ = ack.ssrc_range_size;
    ssrc_range_start_ = start;
  } else {
    // Replicas sharing Redis agree; one that decided from memory (Redis down) may not. The
    // node keeps the range its streams already use and claims it in every later hello.
    ++range_conflicts_;
    LOG_WARN("control.ssrc_range_mismatch", {"node", settings_.node_id}, {"kept", ssrc_range_start_},
             {"acked", start});
  }
  for (const auto& client : controls_) client->SetClaimedRange(ssrc_range_start_);
}

void NodeRuntime::OnControlClientCommand(const control::ControlMessage& command,
                                         control::CommandResult& result) {
  if (on_command) {
    on_command(command, result);
  } else {
    result = {false, "this node does not take commands yet"};
  }
}

control::NodeLoad NodeRuntime::OnControlClientLoadRequested() {
  uint64_t now = loop_.clock().NowUs();
  // Every replica's heartbeat asks; rates over a sliver of an interval would be noise.
  if (controls_.size() > 1 && last_load_us_ != 0 && now - last_load_us_ < heartbeat_interval_ms_ * 500ull) {
    return last_load_;
  }
  control::NodeLoad load;
  load.cpu_percent = process_stats_.CpuPercentSinceLastCall(now);
  load.rss_bytes = ProcessStats::ResidentBytes();
  const auto& stats = media_socket_->stats();
  if (last_load_us_ != 0 && now > last_load_us_) {
    load.packets_per_second = (stats.datagrams_sent - last_sent_) * 1'000'000 / (now - last_load_us_);
    load.egress_bps = (stats.bytes_sent - last_sent_bytes_) * 8 * 1'000'000 / (now - last_load_us_);
  }
  last_sent_ = stats.datagrams_sent;
  last_sent_bytes_ = stats.bytes_sent;
  last_load_us_ = now;
  if (fill_load) fill_load(load);
  last_load_ = load;
  return load;
}

}  // namespace cascade::media
