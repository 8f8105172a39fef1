#pragma once
// The control plane process: the node channel, the HTTP API (entry point for clients, node
// list, stream trees, metrics, health) on one loop.
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "control/server/ClientEntry.hpp"
#include "control/server/ControlServer.hpp"
#include "control/server/LeaderLease.hpp"
#include "control/server/OperatorAuth.hpp"
#include "control/server/RedisClient.hpp"
#include "control/server/RedisRoomRegions.hpp"
#include "control/server/RedisSsrcRanges.hpp"
#include "control/server/TreeCommands.hpp"
#include "control/server/TreeController.hpp"
#include "core/base/Config.hpp"
#include "core/net/HttpServer.hpp"
#include "core/net/Loop.hpp"

namespace cascade::control {

struct ControlSettings {
  net::SocketAddress http_address;
  net::SocketAddress channel_address;
  uint32_t heartbeat_interval_ms = 1000;
  EntrySettings entry;            // the client entry: auth.secret, placement.*, control.placement, web.root
  TreeController::Options trees;  // trees.*: fan-out and the detach grace of control's own trees
  // PEM files for the channel's TLS certificate; empty: a fresh one each start.
  std::string certificate_file;
  std::string key_file;
  // control.operator_listen: the operator API (/api/* but /api/token, and /metrics) on a
  // listener of its own, so the public http.listen serves only the client entry and
  // /healthz. Unset: everything on http.listen.
  std::optional<net::SocketAddress> operator_address;
  std::string node_secret;     // auth.node_secret: hellos must prove it; empty: any node is accepted
  std::string operator_token;  // auth.operator_token: /api/* needs it as a bearer token; empty: open
  // control.redis: state shared by several control replicas (leader lease, SSRC ranges, room
  // regions); unset: this replica alone, in memory, always the leader.
  std::optional<net::SocketAddress> redis_address;
  std::string replica_id;  // control.replica_id; default: random
  uint32_t leader_ttl_ms = 2000;

  static const std::set<std::string>& KnownKeys();
  static ControlSettings FromConfig(const base::Config& config);
};

class ControlDaemon {
 public:
  ControlDaemon(net::Loop& loop, ControlSettings settings);

  ControlServer& server() { return *server_; }
  TreeCommands& tree() { return *tree_; }
  ClientEntry& entry() { return *entry_; }
  net::HttpServer& http() { return *http_; }
  // Where the operator API listens: its own listener, or http() without one.
  net::HttpServer& operator_http() { return operator_http_ ? *operator_http_ : *http_; }
  base::MetricsRegistry& metrics() { return metrics_; }
  // What nodes must pin (their control.fingerprint).
  const dtls::Fingerprint& fingerprint() const { return certificate_->fingerprint(); }
  const std::string& replica_id() const { return settings_.replica_id; }
  // This replica sends the tree commands (always, without Redis).
  bool leader() const { return !lease_ || lease_->leader(); }

 private:
  // Shared state on control.redis: the SSRC ranges, rooms' regions and the leader lease.
  void StartRedis();

  net::Loop& loop_;
  ControlSettings settings_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<RedisClient> redis_;  // null without control.redis; outlives what uses it
  std::unique_ptr<dtls::Certificate> certificate_;
  OperatorAuth operator_auth_;  // before the servers whose routers it guards
  std::unique_ptr<net::HttpServer> http_;
  std::unique_ptr<net::HttpServer> operator_http_;  // null: the operator API is on http_
  std::unique_ptr<ControlServer> server_;
  std::unique_ptr<TreeCommands> tree_;  // after server_: destroyed before it
  std::unique_ptr<ClientEntry> entry_;
  std::unique_ptr<TreeController> trees_;  // after tree_ and entry_: destroyed before them
  // With Redis (after what they call into: destroyed first).
  std::unique_ptr<RedisSsrcRanges> ssrc_ranges_;
  std::unique_ptr<RedisRoomRegions> room_regions_;
  std::unique_ptr<LeaderLease> lease_;
};

}  // namespace cascade::control
