#pragma once
// Where a transport's packets go once ICE has selected a pair: the node's shared UDP socket
// towards the peer's address (UdpPacketPath), or an ICE-TCP connection (IceTcpConnection,
// RFC 6544). Sending is zero-copy on both: the caller writes the packet into the span
// PrepareSend returns (SRTP encrypts it there) and commits its length, so the choice of path
// costs one virtual call per packet and nothing else.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "core/net/SocketAddress.hpp"
#include "core/net/UdpSocket.hpp"

namespace cascade::transport {

class PacketPath {
 public:
  // A packet that fits one path fits every path.
  static constexpr size_t kMaxPacket = net::UdpSocket::kMaxDatagram;

  virtual ~PacketPath() = default;
  // Room for one packet of up to kMaxPacket bytes; empty when the path cannot take one now
  // (send queue full, connection closed or backed up). Until CommitSend, calling it again
  // returns the same span.
  virtual std::span<uint8_t> PrepareSend() = 0;
  // Sends the first `length` bytes written into that span.
  virtual void CommitSend(size_t length) = 0;

  // Sends a copy of `packet` (DTLS records, STUN); false when the path cannot take it now.
  bool Send(std::span<const uint8_t> packet) {
    auto slot = PrepareSend();
    if (slot.size() < packet.size()) return false;
    if (!packet.empty()) std::memcpy(slot.data(), packet.data(), packet.size());
    CommitSend(packet.size());
    return true;
  }
};

// The shared socket and one destination. A transport keeps one by value and retargets it when
// ICE selects another address, so nothing is allocated when the path changes.
class UdpPacketPath final : public PacketPath {
 public:
  explicit UdpPacketPath(net::UdpSocket& socket) : socket_(socket) {}

  void set_destination(const net::SocketAddress& to) { to_ = to; }
  const net::SocketAddress& destination() const { return to_; }

  std::span<uint8_t> PrepareSend() override { return socket_.PrepareSend(); }
  void CommitSend(size_t length) override { socket_.CommitSend(length, to_); }

 private:
  net::UdpSocket& socket_;
  net::SocketAddress to_;
};

}  // namespace cascade::transport
