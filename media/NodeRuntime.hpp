#pragma once
// What every media node process has, whatever its role: the loop, configuration, metrics
// on /metrics, health on /healthz, the media UDP socket, the control-plane link and clean
// shutdown on SIGINT/SIGTERM. Edge and relay build on it instead of repeating it.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "control/client/ControlClient.hpp"
#include "core/base/Config.hpp"
#include "core/base/Metrics.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/net/HttpServer.hpp"
#include "core/net/Loop.hpp"
#include "core/net/SignalWatch.hpp"
#include "core/net/UdpSocket.hpp"
#include "media/ProcessStats.hpp"

namespace cascade::media {

struct NodeSettings {
  std::string node_id;
  std::string region;
  net::SocketAddress http_address;
  net::SocketAddress media_address;
  std::string announce_ip;
  // control.address: every control replica (comma-separated), each with the fingerprint of
  // its TLS certificate, pinned (control.fingerprint: one per replica, or one shared by all).
  struct ControlReplica {
    net::SocketAddress address;
    dtls::Fingerprint fingerprint;
  };
  std::vector<ControlReplica> controls;
  std::string node_secret;  // auth.node_secret: proves to control this is a node
  control::NodeCapacity capacity;

  // Keys every node understands; a role adds its own.
  static const std::set<std::string>& KnownKeys();
  // Throws base::ConfigError naming the key on a bad value.
  static NodeSettings FromConfig(const base::Config& config, control::NodeRole role);
};

class NodeRuntime : public control::ControlClient::Listener {
 public:
  // The media socket's packets go to `media_listener` (the role's own packet handler).
  NodeRuntime(control::NodeRole role, NodeSettings settings, net::UdpSocket::Listener* media_listener);
  ~NodeRuntime() override;

  net::Loop& loop() { return loop_; }
  base::MetricsRegistry& metrics() { return metrics_; }
  net::HttpServer& http() { return *http_; }
  net::UdpSocket& media_socket() { return *media_socket_; }
  const NodeSettings& settings() const { return settings_; }
  // One client per control replica, all connected at once: heartbeats and reports go to
  // each, commands are taken from any (only the leading replica sends them).
  const std::vector<std::unique_ptr<control::ControlClient>>& controls() const { return controls_; }
  bool registered() const;
  // Tells every replica the node is registered with (false: none): a report such as ParentLost.
  bool ReportToControl(const control::ControlBody& body);
  // The node's DTLS identity (generated at start): clients and other nodes pin its
  // fingerprint, which the hello tells control.
  const dtls::Certificate& certificate() const { return *certificate_; }
  // The mesh-wide SSRC range control gave this node; 0 until registered.
  uint32_t ssrc_range_start() const { return ssrc_range_start_; }
  uint32_t ssrc_range_size() const { return ssrc_range_size_; }

  // Called with each heartbeat to fill in sessions/users (media::AddMediaLoad); CPU, RSS
  // and the media socket's egress bit and packet rates are filled in here.
  std::function<void(control::NodeLoad&)> fill_load;
  std::function<void(const control::ControlMessage&, control::CommandResult&)> on_command;
  // Called with each heartbeat to list the rooms this node carries.
  std::function<void(std::vector<control::RoomReport>&)> fill_rooms;
  // GET /api/media: the media plane's rooms, streams and per-layer link traffic (set by the
  // media plane for as long as it lives).
  std::function<std::string()> describe_media;

  // Runs until SIGINT/SIGTERM.
  void Run();

  // control::ControlClient::Listener
  void OnControlClientRegistered(const control::HelloAck& ack) override;
  void OnControlClientCommand(const control::ControlMessage& command,
                              control::CommandResult& result) override;
  control::NodeLoad OnControlClientLoadRequested() override;
  void OnControlClientRoomsRequested(std::vector<control::RoomReport>& rooms) override {
    if (fill_rooms) fill_rooms(rooms);
  }

 private:
  control::NodeRole role_;
  NodeSettings settings_;
  net::Loop loop_;
  base::MetricsRegistry metrics_;
  std::unique_ptr<dtls::Certificate> certificate_;
  std::unique_ptr<net::HttpServer> http_;
  std::unique_ptr<net::UdpSocket> media_socket_;
  std::vector<std::unique_ptr<control::ControlClient>> controls_;
  ProcessStats process_stats_;
  std::unique_ptr<net::SignalWatch> signals_;  // while Run() runs
  uint64_t last_sent_ = 0;
  uint64_t last_sent_bytes_ = 0;
  uint64_t last_load_us_ = 0;
  control::NodeLoad last_load_;
  uint32_t heartbeat_interval_ms_ = 1000;
  uint64_t range_conflicts_ = 0;  // a replica acked another range than the one this node keeps
  uint32_t ssrc_range_start_ = 0;
  uint32_t ssrc_range_size_ = 0;
};

}  // namespace cascade::media
