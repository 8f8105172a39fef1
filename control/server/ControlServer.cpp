#include "control/server/ControlServer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "control/client/NodeProof.hpp"
#include "core/base/Log.hpp"

namespace cascade::control {
namespace {

ControlServer::Options WithRandomSeed(ControlServer::Options options) {
  options.registry.seed = std::random_device{}();
  return options;
}

}  // namespace

ControlServer::ControlServer(net::Loop& loop, const net::SocketAddress& channel_address,
                             const dtls::Certificate& certificate, Options options,
                             base::MetricsRegistry& metrics)
    : loop_(loop),
      options_(options),
      tls_context_(tls::TlsContext::Server(certificate)),
      registry_(WithRandomSeed(options).registry),
      tcp_(loop, channel_address,
           [this](std::unique_ptr<net::TcpConnection> tcp) {
             auto connection = std::make_unique<ControlConnection>(*tls_context_, std::move(tcp),
                                                                   std::nullopt, this, &decode_errors_);
             auto* raw = connection.get();
             connections_.emplace(raw, std::move(connection));
           }),
      expiry_timer_(loop, [this] { ExpireSilentNodes(); }) {
  expiry_timer_.Start(options_.heartbeat_interval_ms, options_.heartbeat_interval_ms);
  decode_errors_.RegisterIn(metrics, "cascade_control_decode_errors_total", "control frames rejected");
  metrics.AddCallback("cascade_control_nodes_alive", "media nodes heard from within the timeout", false, {},
                      [this] { return static_cast<double>(registry_.alive_count()); });
  metrics.AddCallback("cascade_control_heartbeats_total", "heartbeats received", true, {},
                      [this] { return static_cast<double>(heartbeats_total_); });
  for (size_t i = 0; i < static_cast<size_t>(HelloRefusal::kCount); ++i) {
    auto reason = static_cast<HelloRefusal>(i);
    metrics.AddCallback("cascade_control_hello_refusals_total", "node hellos refused, by reason", true,
                        {{"reason", ToString(reason)}},
                        [this, reason] { return static_cast<double>(refusals_.Get(reason)); });
  }
  if (options_.node_secret.empty()) {
    LOG_WARN("control.open_registration", {"channel", tcp_.local_address().ToString()},
             {"reason",
              "auth.node_secret is not set: any process that reaches the node channel and pins "
              "control's certificate can register as a node"});
  }
}

ControlServer::~ControlServer() {
  pending_.clear();  // their callbacks are not called: whoever passed them may be gone
}

void ControlServer::SendCommand(const std::string& node_id, ControlBody body, CommandDone done,
                                uint32_t timeout_ms) {
  uint64_t id = next_command_id_++;
  PendingCommand pending;
  pending.node_id = node_id;
  pending.done = std::move(done);
  pending.timer = std::make_unique<net::Timer>(loop_, [this, id] {
    auto it = pending_.find(id);
    if (it != pending_.end()) CompleteCommand(id, it->second.on_timer);
  });
  auto connection = node_connections_.find(node_id);
  if (connection == node_connections_.end()) {
    // Reported from the loop, like every other outcome.
    pending.on_timer = {false, "node not connected"};
    pending.timer->Start(0);
    pending_.emplace(id, std::move(pending));
    return;
  }
  pending.connection = connection->second;
  pending.on_timer = {false, "timeout"};
  pending.timer->Start(timeout_ms ? timeout_ms : options_.command_timeout_ms);
  pending_.emplace(id, std::move(pending));
  LOG_DEBUG("control.command_sent", {"node", node_id}, {"id", id});
  connection->second->Send({id, std::move(body)});
}

void ControlServer::CompleteCommand(uint64_t id, CommandResult result) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  CommandDone done = std::move(it->second.done);
  std::string node_id = std::move(it->second.node_id);
  pending_.erase(it);  // destroys the timer, even when called from inside it
  if (!result.ok) {
    LOG_WARN("control.command_failed", {"node", node_id}, {"id", id}, {"error", result.error});
  }
  if (done) done(std::move(result));
}

void ControlServer::OnControlConnectionMessage(ControlConnection* connection, ControlMessage& message) {
  uint64_t now = loop_.clock().NowUs();
  if (auto* hello = std::get_if<NodeHello>(&message.body)) {
    OnHello(connection, message.id, *hello);
    return;
  }
  if (auto* beat = std::get_if<Heartbeat>(&message.body)) {
    // Only the node's current connection speaks for it (not one a reconnect replaced).
    auto current = node_connections_.find(connection->node_id);
    if (current == node_connections_.end() || current->second != connection ||
        !registry_.Heartbeat(connection->node_id, beat->load, now)) {
      connection->Close("heartbeat before hello");
      return;
    }
    ++heartbeats_total_;
    if (registry_.SetRooms(connection->node_id, std::move(beat->rooms)) && observer_) {
      observer_(connection->node_id, NodeEvent::kRoomsChanged);
    }
    return;
  }
  if (auto* lost = std::get_if<ParentLost>(&message.body)) {
    auto current = node_connections_.find(connection->node_id);
    if (current == node_connections_.end() || current->second != connection) {
      connection->Close("report before hello");
      return;
    }
    LOG_WARN("control.parent_lost", {"node", connection->node_id}, {"parent", lost->parent_node_id},
             {"silent_ms", lost->silent_ms});
    if (on_parent_lost_) on_parent_lost_(connection->node_id, lost->parent_node_id);
    return;
  }
  if (auto* result = std::get_if<CommandResult>(&message.body)) {
    auto it = pending_.find(message.id);
    // A result for an unknown id (timed out already) or from another connection is dropped.
    if (it != pending_.end() && it->second.connection == connection) CompleteCommand(message.id, *result);
    return;
  }
  connection->Close("unexpected message from node");
}

void ControlServer::OnHello(ControlConnection* connection, uint64_t message_id, const NodeHello& hello) {
  if (!connection->node_id.empty()) {
    return RefuseHello(connection, message_id, hello, HelloRefusal::kRepeatedHello,
                       "this connection is registered as '" + connection->node_id + "' already");
  }
  if (hello.node_id.empty())
    return RefuseHello(connection, message_id, hello, HelloRefusal::kEmptyId, "node_id is empty");
  if (!options_.node_secret.empty()) {
    if (hello.proof.empty()) {
      return RefuseHello(connection, message_id, hello, HelloRefusal::kNoProof,
                         "control requires auth.node_secret and the hello has no proof: set auth.node_secret "
                         "on the node");
    }
    if (!VerifyNodeHelloProof(options_.node_secret, hello.node_id, connection->ChannelBinding(),
                              hello.proof)) {
      return RefuseHello(
          connection, message_id, hello, HelloRefusal::kBadSecret,
          "the hello's proof does not verify: the node's auth.node_secret differs from control's (or the "
          "proof was made on another connection)");
    }
  }
  if (claiming_.contains(connection)) {
    return RefuseHello(connection, message_id, hello, HelloRefusal::kRepeatedHello,
                       "this connection's first hello is still being answered");
  }
  if (!CheckNotDuplicate(connection, message_id, hello)) return;
  if (!range_claimer_) return FinishHello(connection, message_id, hello, std::nullopt);
  const uint64_t claim = next_claim_++;
  claiming_[connection] = claim;
  range_claimer_(hello.node_id, hello.ssrc_range_start,
                 [this, connection, claim, message_id, hello](std::optional<uint32_t> range) {
                   auto waiting = claiming_.find(connection);
                   if (waiting == claiming_.end() || waiting->second != claim) return;  // closed meanwhile
                   claiming_.erase(waiting);
                   // Another connection of the same id may have registered while this one waited.
                   if (!CheckNotDuplicate(connection, message_id, hello)) return;
                   FinishHello(connection, message_id, hello, range);
                 });
}

bool ControlServer::CheckNotDuplicate(ControlConnection* connection, uint64_t message_id,
                                      const NodeHello& hello) {
  auto current = node_connections_.find(hello.node_id);
  if (current == node_connections_.end()) return true;
  auto record = registry_.nodes().find(hello.node_id);
  if (record != registry_.nodes().end() && record->second.alive) {
    RefuseHello(
        connection, message_id, hello, HelloRefusal::kDuplicateId,
        "node '" + hello.node_id + "' is connected (from " + current->second->peer().ToString() + ")");
    return false;
  }
  // Its old connection is open but the node fell silent long ago: this one replaces it.
  current->second->Close("replaced by a new connection of the same node");
  return true;
}

void ControlServer::FinishHello(ControlConnection* connection, uint64_t message_id, const NodeHello& hello,
                                std::optional<uint32_t> assigned_range) {
  auto registered =
      registry_.Register(hello, loop_.clock().NowUs(), options_.heartbeat_interval_ms, assigned_range);
  if (!registered.ok()) {
    return RefuseHello(connection, message_id, hello, registered.error(),
                       "every SSRC range is held by a live or recently dead node");
  }
  connection->node_id = hello.node_id;
  node_connections_[hello.node_id] = connection;
  connection->Send({message_id, *registered});
  LOG_INFO(
      "control.node_registered", {"node", hello.node_id}, {"role", ToString(hello.role)},
      {"region", hello.region}, {"peer", connection->peer().ToString()},
      {"ssrc_range_start", registered->ssrc_range_start},
      {"kept_range", hello.ssrc_range_start != 0 && hello.ssrc_range_start == registered->ssrc_range_start});
  if (observer_) observer_(hello.node_id, NodeEvent::kUp);
}

void ControlServer::RefuseHello(ControlConnection* connection, uint64_t message_id, const NodeHello& hello,
                                HelloRefusal refusal, const std::string& detail) {
  refusals_.Inc(refusal);
  HelloAck ack;
  ack.reason = std::string(ToString(refusal)) + ": " + detail;
  ack.retry_after_ms = refusal == HelloRefusal::kDuplicateId
                           ? options_.heartbeat_interval_ms * options_.missed_heartbeats_before_dead
                           : options_.refused_retry_ms;
  LOG_WARN("control.hello_refused", {"node", hello.node_id}, {"peer", connection->peer().ToString()},
           {"reason", ToString(refusal)}, {"detail", detail});
  connection->Send({message_id, ack});
  connection->Close("hello refused: " + ack.reason);
}

void ControlServer::OnControlConnectionClosed(ControlConnection* connection, const std::string& reason) {
  claiming_.erase(connection);
  if (!connection->node_id.empty()) {
    LOG_WARN("control.node_disconnected", {"node", connection->node_id}, {"reason", reason});
    auto current = node_connections_.find(connection->node_id);
    if (current != node_connections_.end() && current->second == connection) {
      node_connections_.erase(current);
      registry_.MarkDisconnected(connection->node_id);
      if (observer_) observer_(connection->node_id, NodeEvent::kDown);
    }
  }
  std::vector<uint64_t> orphaned;
  for (const auto& [id, pending] : pending_) {
    if (pending.connection == connection) orphaned.push_back(id);
  }
  std::sort(orphaned.begin(), orphaned.end());  // in the order they were sent
  connections_.erase(connection);
  // Callbacks run once the connection is gone, so they cannot send on it.
  for (uint64_t id : orphaned) CompleteCommand(id, {false, "node disconnected"});
}

void ControlServer::ExpireSilentNodes() {
  uint64_t timeout_us =
      uint64_t{options_.heartbeat_interval_ms} * options_.missed_heartbeats_before_dead * 1000;
  for (const auto& id : registry_.Expire(loop_.clock().NowUs(), timeout_us)) {
    LOG_WARN("control.node_expired", {"node", id});
    if (observer_) observer_(id, NodeEvent::kDown);
  }
}

void ControlServer::AddRoutes(net::HttpRouter& router) {
  router.Add("GET", "/api/nodes", [this](net::HttpRequest&, net::HttpRespond respond) {
    nlohmann::json nodes = nlohmann::json::array();
    uint64_t now = loop_.clock().NowUs();
    for (const auto& [id, record] : registry_.nodes()) {
      nlohmann::json addresses = nlohmann::json::array();
      for (const auto& a : record.hello.media_addresses) {
        addresses.push_back({{"ip", a.ip}, {"port", a.port}, {"transport", a.transport}});
      }
      nlohmann::json rooms = nlohmann::json::array();
      for (const auto& room : record.rooms) {
        rooms.push_back({{"name", room.name},
                         {"publisher", room.publisher},
                         {"viewers", room.viewers},
                         {"parent", room.parent}});
      }
      nodes.push_back({{"id", id},
                       {"role", ToString(record.hello.role)},
                       {"region", record.hello.region},
                       {"alive", record.alive},
                       {"http_url", record.hello.http_url},
                       {"media_addresses", addresses},
                       {"heartbeats", record.heartbeats},
                       {"last_heard_ms_ago", (now - record.last_heard_us) / 1000},
                       {"ssrc_range_start", record.ssrc_range_start},
                       {"ssrc_range_size", record.ssrc_range_start ? SsrcRanges::kSize : 0},
                       {"load",
                        {{"sessions", record.load.sessions},
                         {"users", record.load.users},
                         {"cpu_percent", record.load.cpu_percent},
                         {"egress_bps", record.load.egress_bps},
                         {"packets_per_second", record.load.packets_per_second},
                         {"rss_bytes", record.load.rss_bytes}}},
                       {"rooms", rooms}});
    }
    respond(net::HttpResponse::Json(200, nlohmann::json{{"nodes", nodes}}.dump()));
  });
}

}  // namespace cascade::control
