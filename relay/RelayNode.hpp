#pragma once
// A relay node: serves no clients, only links to one parent per stream and any number of
// children, driven by control's tree commands. Everything it does is the shared media plane.
#include <memory>

#include "media/MediaPlane.hpp"
#include "media/NodeRuntime.hpp"

namespace cascade::relay {

class RelayNode : public net::UdpSocket::Listener {
 public:
  RelayNode(media::NodeSettings settings, media::Room::Options room_options);
  ~RelayNode() override;
  void Run() { runtime_->Run(); }
  media::NodeRuntime& runtime() { return *runtime_; }
  media::MediaPlane& media() { return *media_; }

  // net::UdpSocket::Listener: the media socket is made before the media plane exists.
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override {
    media_->OnUdpSocketPacket(socket, data, from);
  }

 private:
  std::unique_ptr<media::NodeRuntime> runtime_;
  std::unique_ptr<media::MediaPlane> media_;
};

}  // namespace cascade::relay
