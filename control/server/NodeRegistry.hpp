#pragma once
// Every media node the control plane knows: what it said in its hello, its last load, and
// whether it is alive (heard from within the timeout). Pure state, time passed in.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "control/client/ControlMessages.hpp"

namespace cascade::control {

struct NodeRecord {
  NodeHello hello;
  NodeLoad load;
  uint64_t registered_at_us = 0;
  uint64_t last_heard_us = 0;
  uint64_t heartbeats = 0;
  bool alive = true;
  uint32_t ssrc_range_start = 0;
};

class NodeRegistry {
 public:
  static constexpr uint32_t kSsrcRangeSize = 1u << 20;
  static constexpr uint32_t kSsrcBase = 0x10000000;

  // Registers or re-registers a node; a node keeps its SSRC range across reconnects.
  HelloAck Register(const NodeHello& hello, uint64_t now_us, uint32_t heartbeat_interval_ms);
  // Returns false for a node that never said hello.
  bool Heartbeat(const std::string& node_id, const NodeLoad& load, uint64_t now_us);
  void MarkDisconnected(const std::string& node_id);
  // Marks nodes silent for longer than timeout as dead; returns the ids newly marked.
  std::vector<std::string> Expire(uint64_t now_us, uint64_t timeout_us);

  const std::map<std::string, NodeRecord>& nodes() const { return nodes_; }
  size_t alive_count() const;

 private:
  std::map<std::string, NodeRecord> nodes_;
  uint32_t next_range_index_ = 0;
};

}  // namespace cascade::control
