#pragma once
// The edge's passive ICE-TCP port (RFC 6544): TCP on the media socket's own IP and port, for
// clients whose UDP is blocked. What arrives on a connection no session has bound yet goes
// through here: STUN is routed by the ufrag in USERNAME (RFC 8445 §7.3, as on the UDP port)
// to that session's transport, which binds the connection on an authenticated check; the
// connection's packets then reach the transport directly. Anything else on an unbound
// connection is dropped and counted: a stranger cannot reach a session without its password.
//
// A session's transport closes the connections it bound when it is destroyed, so tearing a
// session down needs nothing from here.
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/base/EnumCounters.hpp"
#include "core/base/Metrics.hpp"
#include "core/ice/StunError.hpp"
#include "core/net/Loop.hpp"
#include "core/transport/IceTcpServer.hpp"
#include "core/transport/WebRtcTransport.hpp"

namespace cascade::edge {

// Why a packet on an unbound ICE-TCP connection went nowhere.
enum class IceTcpUnroutable : uint8_t {
  kNotStun,       // DTLS/RTP before any check bound the connection
  kBadStun,       // STUN that does not parse
  kNoUsername,    // STUN without USERNAME: nothing names a session
  kUnknownUfrag,  // USERNAME names no live session
  kCount
};
const char* ToString(IceTcpUnroutable reason);

class IceTcpPort final : private transport::IceTcpServer::Listener {
 public:
  // Finds the transport whose current local ufrag this is (nullptr: none).
  using FindTransport = std::function<transport::WebRtcTransport*(std::string_view local_ufrag)>;

  // Throws std::system_error when the address cannot be bound (a start-up path).
  IceTcpPort(net::Loop& loop, const net::SocketAddress& address, FindTransport find);
  ~IceTcpPort() override;

  // cascade_edge_ice_tcp_*: connections open, accepted, refused, closed, unbound timeouts,
  // framing errors by kind, unroutable packets by reason, STUN messages routed.
  void RegisterMetrics(base::MetricsRegistry& metrics) const;

  const net::SocketAddress& local_address() const { return server_.local_address(); }
  const transport::IceTcpServer& server() const { return server_; }
  const base::EnumCounters<IceTcpUnroutable>& unroutable() const { return unroutable_; }
  const base::EnumCounters<ice::StunError>& stun_errors() const { return stun_errors_; }
  uint64_t routed() const { return routed_; }

 private:
  void OnIceTcpServerPacket(transport::IceTcpServer* server, transport::IceTcpConnection* connection,
                            std::span<uint8_t> packet) override;

  FindTransport find_;
  base::EnumCounters<IceTcpUnroutable> unroutable_;
  base::EnumCounters<ice::StunError> stun_errors_;
  uint64_t routed_ = 0;
  transport::IceTcpServer server_;  // last: accepts only once everything above exists
};

}  // namespace cascade::edge
