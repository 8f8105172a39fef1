#pragma once
// A media node's link to the control plane: connects, introduces itself, sends heartbeats
// with its load, hands commands to its listener, and reconnects with backoff when the
// control plane goes away (media keeps flowing meanwhile).
#include <functional>
#include <memory>
#include <optional>

#include "control/client/ControlConnection.hpp"
#include "core/base/Metrics.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"

namespace cascade::control {

class ControlClient : public ControlConnection::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnControlClientRegistered(const HelloAck& ack) = 0;
    virtual void OnControlClientCommand(const ControlMessage& command, CommandResult& result) = 0;
    virtual NodeLoad OnControlClientLoadRequested() = 0;
    // The rooms this node carries, reported with every heartbeat.
    virtual void OnControlClientRoomsRequested(std::vector<RoomReport>&) {}
  };

  // `control_fingerprint` pins control's TLS certificate; with a `node_secret`
  // (auth.node_secret) every hello carries a NodeHelloProof. A refused hello is logged with
  // control's reason and retried no sooner than control's retry_after_ms.
  ControlClient(net::Loop& loop, Listener* listener, net::SocketAddress control_address,
                dtls::Fingerprint control_fingerprint, NodeHello hello, std::string node_secret = {});
  ~ControlClient() override;

  void Start();
  bool registered() const { return registered_; }
  uint64_t connects() const { return connects_; }
  uint64_t refusals() const { return refusals_; }
  const std::string& last_refusal() const { return last_refusal_; }
  // `labels` tell several clients of one node apart (one per control replica).
  void RegisterMetrics(base::MetricsRegistry& registry, const base::Labels& labels = {}) const;
  // The range every later hello claims (a node with several control replicas keeps the one
  // the first replica gave it); 0 claims none.
  void SetClaimedRange(uint32_t start) { hello_.ssrc_range_start = start; }
  const net::SocketAddress& control_address() const { return control_address_; }
  // Tells control, if registered now (false otherwise): a report such as ParentLost.
  bool Report(ControlBody body);

  // ControlConnection::Listener
  void OnControlConnectionReady(ControlConnection* connection) override;
  void OnControlConnectionMessage(ControlConnection* connection, ControlMessage& message) override;
  void OnControlConnectionClosed(ControlConnection* connection, const std::string& reason) override;

 private:
  void Connect();
  void ScheduleReconnect();
  void SendHeartbeat();

  net::Loop& loop_;
  Listener* listener_;  // passed by argument
  net::SocketAddress control_address_;
  dtls::Fingerprint control_fingerprint_;
  std::unique_ptr<tls::TlsContext> tls_context_;
  NodeHello hello_;  // ssrc_range_start: the range control gave, once registered
  std::string node_secret_;
  std::unique_ptr<ControlConnection> connection_;
  net::Timer heartbeat_timer_;
  net::Timer reconnect_timer_;
  base::EnumCounters<ControlDecodeError> decode_errors_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  uint64_t heartbeat_seq_ = 0;
  uint64_t connects_ = 0;
  uint64_t refusals_ = 0;
  std::string last_refusal_;
  uint64_t backoff_ms_ = 100;
  bool registered_ = false;
};

}  // namespace cascade::control
