#pragma once
// An edge node: terminates WebRTC clients (WHIP publish, WHEP watch) and feeds the relay
// tree. This first version runs the node runtime (control link, metrics, media socket);
// the WebRTC client stack plugs into OnUdpSocketPacket.
#include <memory>

#include "common/NodeRuntime.hpp"

namespace cascade::edge {

class EdgeNode : public net::UdpSocket::Listener {
 public:
  explicit EdgeNode(common::NodeSettings settings);
  void Run() { runtime_->Run(); }

  // net::UdpSocket::Listener
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override;

 private:
  std::unique_ptr<common::NodeRuntime> runtime_;
  base::Counter* unmatched_packets_ = nullptr;
};

}  // namespace cascade::edge
