#pragma once
// The passive side of ICE-TCP (RFC 6544, tcptype passive candidates): accepts TCP connections on
// one port and reads RFC 4571 frames from each.
//
// Packets of a connection that no transport has bound yet go to the listener. It does what
// it does for the UDP port: parse STUN, find the transport by the ufrag in USERNAME, and hand
// the message over with WebRtcTransport::ReceiveStun(message, *connection). An authenticated
// check binds the connection to that transport, and its packets go straight there from then
// on; anything else on an unbound connection is the listener's to drop.
//
// A malformed frame closes only its connection and is counted; so is a connection that stays
// unbound past `unbound_timeout_ms`. Closed connections are destroyed before the next poll,
// never inside a callback.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/base/EnumCounters.hpp"
#include "core/ice/IceTcpFramer.hpp"
#include "core/net/Loop.hpp"
#include "core/net/SocketAddress.hpp"
#include "core/net/TcpConnection.hpp"
#include "core/net/Timer.hpp"
#include "core/transport/IceTcpConnection.hpp"

namespace cascade::transport {

class IceTcpServer final : private IceTcpConnection::Sink {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // A whole packet from a connection no transport has bound; valid only during the call.
    virtual void OnIceTcpServerPacket(IceTcpServer* server, IceTcpConnection* connection,
                                      std::span<uint8_t> packet) = 0;
    // The connection is closing and will be destroyed before the next poll: forget it.
    virtual void OnIceTcpServerConnectionClosed(IceTcpServer*, IceTcpConnection*) {}
  };

  struct Options {
    size_t max_connections = 4096;        // further connections are accepted and closed at once
    uint64_t unbound_timeout_ms = 10000;  // a browser sends its first check right after connecting
    IceTcpConnection::Options connection;
  };

  struct Stats {
    uint64_t accepted = 0;
    uint64_t refused = 0;  // over max_connections
    uint64_t closed = 0;
    uint64_t unbound_timeouts = 0;
    base::EnumCounters<ice::IceTcpFramerError> framing_errors;  // each closed its connection
  };

  // Throws std::system_error when the address cannot be bound (a start-up path).
  IceTcpServer(net::Loop& loop, const net::SocketAddress& bind_address, Listener* listener, Options options);
  IceTcpServer(net::Loop& loop, const net::SocketAddress& bind_address, Listener* listener)
      : IceTcpServer(loop, bind_address, listener, Options{}) {}
  ~IceTcpServer() override;
  IceTcpServer(const IceTcpServer&) = delete;
  IceTcpServer& operator=(const IceTcpServer&) = delete;

  const net::SocketAddress& local_address() const { return tcp_server_.local_address(); }
  size_t connections() const { return connections_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Entry {
    std::unique_ptr<IceTcpConnection> connection;
    uint64_t accepted_ms = 0;
  };

  void Accept(std::unique_ptr<net::TcpConnection> connection);
  void CloseUnbound();
  void DestroyClosed();
  // IceTcpConnection::Sink, for connections no transport has bound.
  void OnIceTcpPacket(IceTcpConnection* connection, std::span<uint8_t> packet) override;
  void OnIceTcpConnectionClosed(IceTcpConnection* connection) override;

  net::Loop& loop_;
  Listener* listener_;  // passed by argument
  Options options_;
  Stats stats_;
  std::vector<Entry> connections_;
  bool have_closed_ = false;  // some entry is closed and waits for DestroyClosed
  size_t hook_id_ = 0;
  net::Timer sweep_timer_;
  net::TcpServer tcp_server_;  // last: accepts only once everything above exists
};

}  // namespace cascade::transport
