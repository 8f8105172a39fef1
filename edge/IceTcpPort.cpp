#include "edge/IceTcpPort.hpp"

#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunMessage.hpp"

namespace cascade::edge {

const char* ToString(IceTcpUnroutable reason) {
  switch (reason) {
    case IceTcpUnroutable::kNotStun: return "not_stun";
    case IceTcpUnroutable::kBadStun: return "bad_stun";
    case IceTcpUnroutable::kNoUsername: return "no_username";
    case IceTcpUnroutable::kUnknownUfrag: return "unknown_ufrag";
    case IceTcpUnroutable::kCount: break;
  }
  return "unknown";
}

IceTcpPort::IceTcpPort(net::Loop& loop, const net::SocketAddress& address, FindTransport find)
    : find_(std::move(find)), server_(loop, address, this) {}

IceTcpPort::~IceTcpPort() = default;

void IceTcpPort::RegisterMetrics(base::MetricsRegistry& metrics) const {
  const auto* stats = &server_.stats();
  auto counter = [&](const char* name, const char* help, const uint64_t* field) {
    metrics.AddCallback(name, help, true, {}, [field] { return static_cast<double>(*field); });
  };
  metrics.AddCallback("cascade_edge_ice_tcp_connections", "open ICE-TCP connections", false, {},
                      [this] { return static_cast<double>(server_.connections()); });
  counter("cascade_edge_ice_tcp_accepted_total", "ICE-TCP connections accepted", &stats->accepted);
  counter("cascade_edge_ice_tcp_refused_total", "ICE-TCP connections refused (too many open)",
          &stats->refused);
  counter("cascade_edge_ice_tcp_closed_total", "ICE-TCP connections closed", &stats->closed);
  counter("cascade_edge_ice_tcp_unbound_timeouts_total",
          "ICE-TCP connections closed for sending no valid check", &stats->unbound_timeouts);
  counter("cascade_edge_ice_tcp_routed_total", "STUN messages on new ICE-TCP connections handed to a session",
          &routed_);
  stats->framing_errors.RegisterIn(metrics, "cascade_edge_ice_tcp_framing_errors_total",
                                   "ICE-TCP connections closed for a malformed RFC 4571 frame");
  unroutable_.RegisterIn(metrics, "cascade_edge_ice_tcp_unroutable_packets_total",
                         "packets on unbound ICE-TCP connections that reached no session");
  stun_errors_.RegisterIn(metrics, "cascade_edge_ice_tcp_stun_parse_errors_total",
                          "STUN messages on ICE-TCP connections that failed to parse");
}

void IceTcpPort::OnIceTcpServerPacket(transport::IceTcpServer*, transport::IceTcpConnection* connection,
                                      std::span<uint8_t> packet) {
  if (ice::PacketDemux::Classify(packet) != ice::PacketKind::kStun) {
    unroutable_.Inc(IceTcpUnroutable::kNotStun);
    return;
  }
  auto message = ice::StunMessage::Parse(packet);
  if (!message.ok()) {
    stun_errors_.Inc(message.error());
    unroutable_.Inc(IceTcpUnroutable::kBadStun);
    return;
  }
  auto username = message->username();
  if (!username) {
    unroutable_.Inc(IceTcpUnroutable::kNoUsername);
    return;
  }
  // RFC 8445 §7.3: the first half of USERNAME is our ufrag, which names the transport.
  transport::WebRtcTransport* transport = find_(username->substr(0, username->find(':')));
  if (!transport) {
    unroutable_.Inc(IceTcpUnroutable::kUnknownUfrag);
    return;
  }
  ++routed_;
  transport->ReceiveStun(*message, *connection);
}

}  // namespace cascade::edge
