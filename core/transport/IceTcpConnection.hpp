#pragma once
// One ICE-TCP connection (RFC 6544): a TCP connection carrying STUN, DTLS, RTP and RTCP, each
// packet preceded by its 16-bit length (RFC 4571). Incoming bytes go through an IceTcpFramer
// and every whole packet is handed to a sink, in a buffer the sink may change (SRTP decrypts
// in place). As a PacketPath it frames outgoing packets the same way: the packet is written
// behind a 2-byte prefix in a buffer of this connection, so a send is one write() with no copy
// unless the kernel's buffer is full.
//
// Two sinks listen. The owner (the IceTcpServer that accepted the connection, or whoever
// connected it) gets every packet until a transport binds the connection with Bind(), and
// every packet after an Unbind(). The bound sink gets every packet in between. Both hear
// OnIceTcpConnectionClosed (the bound one first); the owner destroys the connection after
// that, but not from inside the call.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/ice/IceTcpFramer.hpp"
#include "core/net/SocketAddress.hpp"
#include "core/net/TcpConnection.hpp"
#include "core/transport/PacketPath.hpp"

namespace cascade::transport {

class IceTcpConnection final : public PacketPath,
                               private net::TcpConnection::Listener,
                               private ice::IceTcpFramer::Listener {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    // One whole packet; valid only during the call.
    virtual void OnIceTcpPacket(IceTcpConnection* connection, std::span<uint8_t> packet) = 0;
    // Closed by the peer, by an error, by a malformed frame (framing_error() says which) or by
    // Close(). No packet follows, and sends are refused from now on.
    virtual void OnIceTcpConnectionClosed(IceTcpConnection* connection) = 0;
  };

  struct Options {
    // Longer frames break the connection. Media and DTLS records are < 1,500 bytes; the
    // margin keeps a peer with a larger MTU working. At most 65535 (RFC 4571).
    size_t max_frame_size = 8192;
    // PrepareSend refuses (the packet is dropped, as a full UDP queue would) while more than
    // this is waiting for the kernel: a stalled peer must not grow our memory.
    size_t max_write_backlog = 1 << 20;
  };

  // Starts reading at once. `owner` is not owned and must outlive the connection.
  IceTcpConnection(std::unique_ptr<net::TcpConnection> connection, Sink* owner, Options options);
  IceTcpConnection(std::unique_ptr<net::TcpConnection> connection, Sink* owner)
      : IceTcpConnection(std::move(connection), owner, Options{}) {}
  // A bound sink that has not heard OnIceTcpConnectionClosed hears it now.
  ~IceTcpConnection() override;
  IceTcpConnection(const IceTcpConnection&) = delete;
  IceTcpConnection& operator=(const IceTcpConnection&) = delete;

  // Routes packets to `sink` from now on (a transport, after an authenticated check). One sink
  // at a time: false when another one is bound or the connection is closed.
  bool Bind(Sink* sink);
  // Routes packets back to the owner if `sink` is the bound one.
  void Unbind(Sink* sink);
  Sink* bound() const { return bound_; }

  // Closes after queued writes are flushed; both sinks hear OnIceTcpConnectionClosed.
  void Close();
  bool closed() const { return closed_; }
  const net::SocketAddress& peer() const { return tcp_->peer(); }
  // Why the connection closed, if a malformed frame closed it.
  std::optional<ice::IceTcpFramerError> framing_error() const { return framing_error_; }
  uint64_t packets_received() const { return packets_received_; }
  uint64_t packets_sent() const { return packets_sent_; }

  // PacketPath
  std::span<uint8_t> PrepareSend() override;
  void CommitSend(size_t length) override;

 private:
  // net::TcpConnection::Listener
  void OnTcpConnectionData(net::TcpConnection* connection, std::span<const uint8_t> data) override;
  void OnTcpConnectionClosed(net::TcpConnection* connection) override;
  // ice::IceTcpFramer::Listener
  void OnIceTcpFramerFrame(ice::IceTcpFramer* framer, std::span<const uint8_t> frame) override;
  void NotifyClosed();

  std::unique_ptr<net::TcpConnection> tcp_;
  Sink* owner_;            // passed by argument
  Sink* bound_ = nullptr;  // passed by Bind
  Options options_;
  ice::IceTcpFramer framer_;
  // The framer hands out read-only views; the sink gets a copy it may decrypt in place.
  std::vector<uint8_t> receive_buffer_;
  std::vector<uint8_t> send_buffer_;  // 2-byte length prefix + kMaxPacket
  std::optional<ice::IceTcpFramerError> framing_error_;
  bool closed_ = false;
  bool notified_closed_ = false;
  uint64_t packets_received_ = 0;
  uint64_t packets_sent_ = 0;
};

}  // namespace cascade::transport
