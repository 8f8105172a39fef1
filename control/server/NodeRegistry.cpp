#include "control/server/NodeRegistry.hpp"

namespace cascade::control {

HelloAck NodeRegistry::Register(const NodeHello& hello, uint64_t now_us, uint32_t heartbeat_interval_ms) {
  if (hello.node_id.empty()) return HelloAck{false, "node_id is empty", 0, 0, 0};
  auto [it, inserted] = nodes_.try_emplace(hello.node_id);
  NodeRecord& record = it->second;
  if (inserted) {
    // 2^28 / 2^20: 240 ranges above the base before wrapping into the base again.
    record.ssrc_range_start = kSsrcBase + (next_range_index_++ % 240) * kSsrcRangeSize;
    record.registered_at_us = now_us;
  }
  record.hello = hello;
  record.last_heard_us = now_us;
  record.alive = true;
  return HelloAck{true, "", heartbeat_interval_ms, record.ssrc_range_start, kSsrcRangeSize};
}

bool NodeRegistry::Heartbeat(const std::string& node_id, const NodeLoad& load, uint64_t now_us) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) return false;
  it->second.load = load;
  it->second.last_heard_us = now_us;
  it->second.alive = true;
  ++it->second.heartbeats;
  return true;
}

void NodeRegistry::MarkDisconnected(const std::string& node_id) {
  auto it = nodes_.find(node_id);
  if (it != nodes_.end()) it->second.alive = false;
}

std::vector<std::string> NodeRegistry::Expire(uint64_t now_us, uint64_t timeout_us) {
  std::vector<std::string> expired;
  for (auto& [id, record] : nodes_) {
    if (record.alive && now_us - record.last_heard_us > timeout_us) {
      record.alive = false;
      expired.push_back(id);
    }
  }
  return expired;
}

size_t NodeRegistry::alive_count() const {
  size_t n = 0;
  for (const auto& [id, record] : nodes_) n += record.alive ? 1 : 0;
  return n;
}

}  // namespace cascade::control
