#pragma once
// A relay node: serves no clients, only links to one parent per stream and any number of
// children, driven by control's tree commands. Everything it does is the shared media plane.
#include <memory>

#include "common/MediaPlane.hpp"
#include "common/NodeRuntime.hpp"

namespace cascade::relay {

class RelayNode : public net::UdpSocket::Listener {
 public:
  RelayNode(common::NodeSettings settings, common::Room::Options room_options);
  ~RelayNode() override;
  void Run() { runtime_->Run(); }
  common::NodeRuntime& runtime() { return *runtime_; }
  common::MediaPlane& media() { return *media_; }

  // net::UdpSocket::Listener: the media socket is made before the media plane exists.
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override {
    media_->OnUdpSocketPacket(socket, data, from);
  }

 private:
  std::unique_ptr<common::NodeRuntime> runtime_;
  std::unique_ptr<common::MediaPlane> media_;
};

}  // namespace cascade::relay
