#pragma once
// The control plane's side of the control channel: accepts node connections, registers
// nodes on hello, tracks heartbeats and expires silent nodes. Serves the node list and
// metrics over HTTP. Sends commands to nodes and matches their results (SendCommand).
#include <functional>
#include <memory>
#include <optional>
#include <string>
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
    // How long SendCommand waits for the node's CommandResult.
    uint32_t command_timeout_ms = 5000;
    // auth.node_secret: every hello must carry a NodeHelloProof under it. Empty:
    // development mode, any node is accepted (logged once as a warning).
    std::string node_secret;
    // How long a node refused for its secret or for want of an SSRC range waits before its
    // next hello (a duplicate id waits until the other connection would be declared dead).
    uint32_t refused_retry_ms = 10000;
    NodeRegistry::Options registry;
  };

  // Nodes reach the channel over TLS with `certificate`, pinned by its fingerprint.
  ControlServer(net::Loop& loop, const net::SocketAddress& channel_address,
                const dtls::Certificate& certificate, Options options, base::MetricsRegistry& metrics);
  ~ControlServer() override;

  const NodeRegistry& registry() const { return registry_; }
  net::Loop& loop() { return loop_; }
  const net::SocketAddress& channel_address() const { return tcp_.local_address(); }
  // Adds GET /api/nodes to an HTTP router.
  void AddRoutes(net::HttpRouter& router);

  // Sends a command (AttachStream, DetachStream, ServeChild) to the node's current
  // connection under a fresh message id and calls `done` exactly once, always later from
  // the loop (never from inside this call): with the node's CommandResult, or with
  // {false, "node not connected"} (no open connection for that node id), {false, "timeout"}
  // (no result within Options::command_timeout_ms) or {false, "node disconnected"} (its
  // connection closed first). Commands still pending when the server is destroyed are
  // dropped without calling `done`.
  using CommandDone = std::function<void(CommandResult)>;
  // `timeout_ms` 0: Options::command_timeout_ms.
  void SendCommand(const std::string& node_id, ControlBody body, CommandDone done, uint32_t timeout_ms = 0);
  size_t pending_commands() const { return pending_.size(); }

  // Told when a node registers (kUp), is lost (kDown: its connection closed or it fell
  // silent) or reports different rooms (kRoomsChanged). Called from the loop.
  enum class NodeEvent : uint8_t { kUp, kDown, kRoomsChanged };
  using NodeObserver = std::function<void(const std::string& node_id, NodeEvent event)>;
  void SetNodeObserver(NodeObserver observer) { observer_ = std::move(observer); }
  // Told when a registered node reports that its parent `parent` went silent.
  using ParentLostObserver = std::function<void(const std::string& child, const std::string& parent)>;
  void SetParentLostObserver(ParentLostObserver observer) { on_parent_lost_ = std::move(observer); }

  uint64_t hello_refusals(HelloRefusal reason) const { return refusals_.Get(reason); }

  // Asked for a registering node's SSRC range before its hello is answered, when several
  // control replicas share the ranges (RedisSsrcRanges::Claim): `claimed` is what the hello
  // names; done(nullopt) (no answer) falls back to this registry's own choice.
  using RangeClaimer = std::function<void(const std::string& node_id, uint32_t claimed,
                                          std::function<void(std::optional<uint32_t>)> done)>;
  void SetRangeClaimer(RangeClaimer claimer) { range_claimer_ = std::move(claimer); }

  // ControlConnection::Listener
  void OnControlConnectionMessage(ControlConnection* connection, ControlMessage& message) override;
  void OnControlConnectionClosed(ControlConnection* connection, const std::string& reason) override;

 private:
  void OnHello(ControlConnection* connection, uint64_t message_id, const NodeHello& hello);
  // False (and the hello refused) when a live node with that id is connected.
  bool CheckNotDuplicate(ControlConnection* connection, uint64_t message_id, const NodeHello& hello);
  void FinishHello(ControlConnection* connection, uint64_t message_id, const NodeHello& hello,
                   std::optional<uint32_t> assigned_range);
  // Answers accepted=false with the reason, counts it and closes the connection.
  void RefuseHello(ControlConnection* connection, uint64_t message_id, const NodeHello& hello,
                   HelloRefusal refusal, const std::string& detail);
  void ExpireSilentNodes();
  // Finishes a pending command: removes it, then calls its callback.
  void CompleteCommand(uint64_t id, CommandResult result);

  struct PendingCommand {
    ControlConnection* connection = nullptr;  // null: failed before sending
    std::string node_id;
    CommandDone done;
    CommandResult on_timer;  // what the timer reports when it fires first
    std::unique_ptr<net::Timer> timer;
  };

  net::Loop& loop_;
  Options options_;
  std::unique_ptr<tls::TlsContext> tls_context_;
  NodeRegistry registry_;
  base::EnumCounters<ControlDecodeError> decode_errors_;
  base::EnumCounters<HelloRefusal> refusals_;
  std::unordered_map<ControlConnection*, std::unique_ptr<ControlConnection>> connections_;
  // The latest connection that said hello as each node.
  std::unordered_map<std::string, ControlConnection*> node_connections_;
  std::unordered_map<uint64_t, PendingCommand> pending_;
  uint64_t next_command_id_ = 1;
  net::TcpServer tcp_;
  net::Timer expiry_timer_;
  uint64_t heartbeats_total_ = 0;
  NodeObserver observer_;
  ParentLostObserver on_parent_lost_;
  RangeClaimer range_claimer_;
  // Connections whose hello waits for range_claimer_, each with the number of its claim (a
  // closed connection's address may be reused by a new one before the answer comes).
  std::unordered_map<ControlConnection*, uint64_t> claiming_;
  uint64_t next_claim_ = 1;
};

}  // namespace cascade::control
