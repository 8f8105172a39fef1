#pragma once
// A relay node: serves no clients, only links to one parent per stream and any number of
// children. This first version runs the node runtime (control link, metrics, media socket);
// relay links plug into OnUdpSocketPacket.
#include <memory>

#include "common/NodeRuntime.hpp"

namespace cascade::relay {

class RelayNode : public net::UdpSocket::Listener {
 public:
  explicit RelayNode(common::NodeSettings settings);
  void Run() { runtime_->Run(); }

  // net::UdpSocket::Listener
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override;

 private:
  std::unique_ptr<common::NodeRuntime> runtime_;
  base::Counter* unmatched_packets_ = nullptr;
};

}  // namespace cascade::relay
