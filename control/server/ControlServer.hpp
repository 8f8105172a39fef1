#pragma once
// The control plane's side of the control channel: accepts node connections, registers
// nodes on hello, tracks heartbeats and expires silent nodes. Serves the node list and
// metrics over HTTP.
#include <memory>
#include <unordered_map>

#include "control/client/ControlConnection.hpp"
#include "control/server/NodeRegistry.hpp"
#include "core/base/Metrics.hpp"
#include "core/net/HttpServer.hpp"
#include "core/net/Timer.hpp"

namespace cascade::control {

class ControlServer : public ControlConnection::Listener {
 public:
  struct Options {
    uint32_t heartbeat_interval_ms = 1000;
    uint32_t missed_heartbeats_before_dead = 3;
  };

  // Nodes reach the channel over TLS with `certificate`, pinned by its fingerprint.
  ControlServer(net::Loop& loop, const net::SocketAddress& channel_address,
                const dtls::Certificate& certificate, Options options, base::MetricsRegistry& metrics);
  ~ControlServer() override;

  const NodeRegistry& registry() const { return registry_; }
  const net::SocketAddress& channel_address() const { return tcp_.local_address(); }
  // Adds GET /api/nodes to an HTTP router.
  void AddRoutes(net::HttpRouter& router);

  // ControlConnection::Listener
  void OnControlConnectionMessage(ControlConnection* connection, ControlMessage& message) override;
  void OnControlConnectionClosed(ControlConnection* connection, const std::string& reason) override;

 private:
  void ExpireSilentNodes();

  net::Loop& loop_;
  Options options_;
  std::unique_ptr<tls::TlsContext> tls_context_;
  NodeRegistry registry_;
  base::EnumCounters<ControlDecodeError> decode_errors_;
  std::unordered_map<ControlConnection*, std::unique_ptr<ControlConnection>> connections_;
  net::TcpServer tcp_;
  net::Timer expiry_timer_;
  uint64_t heartbeats_total_ = 0;
};

}  // namespace cascade::control
