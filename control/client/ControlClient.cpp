#include "control/client/ControlClient.hpp"

#include <algorithm>

#include "control/client/NodeProof.hpp"
#include "core/base/Log.hpp"

namespace cascade::control {

namespace {
constexpr uint64_t kMinBackoffMs = 100;
constexpr uint64_t kMaxBackoffMs = 5000;
}  // namespace

ControlClient::ControlClient(net::Loop& loop, Listener* listener, net::SocketAddress control_address,
                             dtls::Fingerprint control_fingerprint, NodeHello hello, std::string node_secret)
    : loop_(loop),
      listener_(listener),
      control_address_(control_address),
      control_fingerprint_(std::move(control_fingerprint)),
      tls_context_(tls::TlsContext::Client()),
      hello_(std::move(hello)),
      node_secret_(std::move(node_secret)),
      heartbeat_timer_(loop, [this] { SendHeartbeat(); }),
      reconnect_timer_(loop, [this] { Connect(); }) {}

ControlClient::~ControlClient() { *alive_ = false; }

void ControlClient::Start() { Connect(); }

void ControlClient::Connect() {
  std::weak_ptr<bool> alive = alive_;
  net::TcpConnection::Connect(
      loop_, control_address_, [this, alive](std::unique_ptr<net::TcpConnection> tcp, int status) {
        if (alive.expired()) return;
        if (!tcp) {
          LOG_DEBUG("control.connect_failed", {"control", control_address_.ToString()}, {"status", status});
          ScheduleReconnect();
          return;
        }
        ++connects_;
        connection_ = std::make_unique<ControlConnection>(*tls_context_, std::move(tcp), control_fingerprint_,
                                                          this, &decode_errors_);
      });
}

void ControlClient::OnControlConnectionReady(ControlConnection* connection) {
  // The proof is bound to this TLS session, so the hello waits until it is up.
  NodeHello hello = hello_;
  if (!node_secret_.empty())
    hello.proof = NodeHelloProof(node_secret_, hello.node_id, connection->ChannelBinding());
  connection->Send({0, std::move(hello)});
}

void ControlClient::ScheduleReconnect() {
  reconnect_timer_.Start(backoff_ms_);
  backoff_ms_ = std::max(backoff_ms_, std::min(backoff_ms_ * 2, kMaxBackoffMs));
}

bool ControlClient::Report(ControlBody body) {
  if (!connection_ || !registered_) return false;
  connection_->Send({0, std::move(body)});
  return true;
}

void ControlClient::SendHeartbeat() {
  if (!connection_ || !registered_) return;
  Heartbeat beat{++heartbeat_seq_, listener_->OnControlClientLoadRequested(), {}};
  listener_->OnControlClientRoomsRequested(beat.rooms);
  connection_->Send({0, std::move(beat)});
}

void ControlClient::OnControlConnectionMessage(ControlConnection* connection, ControlMessage& message) {
  if (auto* ack = std::get_if<HelloAck>(&message.body)) {
    if (!ack->accepted) {
      // Retrying at once would not change control's mind: wait as long as it asks, at least.
      ++refusals_;
      last_refusal_ = ack->reason;
      backoff_ms_ = std::max<uint64_t>(backoff_ms_, ack->retry_after_ms);
      LOG_ERROR("control.rejected", {"node", hello_.node_id}, {"control", control_address_.ToString()},
                {"reason", ack->reason}, {"retry_ms", backoff_ms_});
      connection->Close("hello rejected: " + ack->reason);
      return;
    }
    registered_ = true;
    backoff_ms_ = kMinBackoffMs;
    // Said again in every later hello (reconnects, a restarted control): the node keeps its
    // range, so the SSRCs its streams already use stay its own.
    hello_.ssrc_range_start = ack->ssrc_range_start;
    LOG_INFO("control.registered", {"node", hello_.node_id}, {"control", control_address_.ToString()},
             {"ssrc_range_start", ack->ssrc_range_start});
    heartbeat_timer_.Start(ack->heartbeat_interval_ms, ack->heartbeat_interval_ms);
    listener_->OnControlClientRegistered(*ack);
    return;
  }
  if (std::holds_alternative<Ping>(message.body)) {
    connection->Send({message.id, CommandResult{true, ""}});
    return;
  }
  if (std::holds_alternative<AttachStream>(message.body) ||
      std::holds_alternative<DetachStream>(message.body) ||
      std::holds_alternative<ServeChild>(message.body)) {
    CommandResult result{true, ""};
    listener_->OnControlClientCommand(message, result);
    connection->Send({message.id, result});
    return;
  }
  connection->Close("unexpected message from control");
}

void ControlClient::OnControlConnectionClosed(ControlConnection*, const std::string& reason) {
  LOG_WARN("control.disconnected", {"node", hello_.node_id}, {"reason", reason});
  registered_ = false;
  heartbeat_timer_.Stop();
  connection_.reset();
  ScheduleReconnect();
}

void ControlClient::RegisterMetrics(base::MetricsRegistry& registry, const base::Labels& labels) const {
  registry.AddCallback("cascade_control_registered", "1 while registered with the control plane", false,
                       labels, [this] { return registered_ ? 1.0 : 0.0; });
  registry.AddCallback("cascade_control_connects_total", "connections made to the control plane", true,
                       labels, [this] { return static_cast<double>(connects_); });
  registry.AddCallback("cascade_control_hello_refused_total", "hellos the control plane refused", true,
                       labels, [this] { return static_cast<double>(refusals_); });
  decode_errors_.RegisterIn(registry, "cascade_control_decode_errors_total", "control frames rejected",
                            labels);
}

}  // namespace cascade::control
