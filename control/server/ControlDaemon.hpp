#pragma once
// The control plane process: the node channel, the HTTP API (entry point for clients, node
// list, stream trees, metrics, health) on one loop.
#include <memory>
#include <set>
#include <string>

#include "control/server/ClientEntry.hpp"
#include "control/server/ControlServer.hpp"
#include "control/server/TreeCommands.hpp"
#include "core/base/Config.hpp"
#include "core/net/HttpServer.hpp"
#include "core/net/Loop.hpp"

namespace cascade::control {

struct ControlSettings {
  net::SocketAddress http_address;
  net::SocketAddress channel_address;
  uint32_t heartbeat_interval_ms = 1000;
  topology::DcPolicy placement = topology::DcPolicy::kLeastUsed;
  // PEM files for the channel's TLS certificate; empty: a fresh one each start.
  std::string certificate_file;
  std::string key_file;

  static const std::set<std::string>& KnownKeys();
  static ControlSettings FromConfig(const base::Config& config);
};

class ControlDaemon {
 public:
  ControlDaemon(net::Loop& loop, ControlSettings settings);

  ControlServer& server() { return *server_; }
  TreeCommands& tree() { return *tree_; }
  net::HttpServer& http() { return *http_; }
  base::MetricsRegistry& metrics() { return metrics_; }
  // What nodes must pin (their control.fingerprint).
  const dtls::Fingerprint& fingerprint() const { return certificate_->fingerprint(); }

 private:
  net::Loop& loop_;
  ControlSettings settings_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<dtls::Certificate> certificate_;
  std::unique_ptr<net::HttpServer> http_;
  std::unique_ptr<ControlServer> server_;
  std::unique_ptr<TreeCommands> tree_;  // after server_: destroyed before it
  std::unique_ptr<ClientEntry> entry_;
};

}  // namespace cascade::control
