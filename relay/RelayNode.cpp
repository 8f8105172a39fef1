#include "relay/RelayNode.hpp"

namespace cascade::relay {

RelayNode::RelayNode(common::NodeSettings settings) {
  runtime_ = std::make_unique<common::NodeRuntime>(control::NodeRole::kRelay, std::move(settings), this);
  unmatched_packets_ = &runtime_->metrics().AddCounter(
      "cascade_media_unmatched_packets_total", "media packets from an address with no session (dropped)");
}

void RelayNode::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t>, const net::SocketAddress&) {
  unmatched_packets_->Inc();
}

}  // namespace cascade::relay
