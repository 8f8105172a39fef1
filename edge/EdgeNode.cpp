#include "edge/EdgeNode.hpp"

namespace cascade::edge {

EdgeNode::EdgeNode(common::NodeSettings settings) {
  runtime_ = std::make_unique<common::NodeRuntime>(control::NodeRole::kEdge, std::move(settings), this);
  unmatched_packets_ = &runtime_->metrics().AddCounter(
      "cascade_media_unmatched_packets_total", "media packets from an address with no session (dropped)");
}

void EdgeNode::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t>, const net::SocketAddress&) {
  unmatched_packets_->Inc();
}

}  // namespace cascade::edge
