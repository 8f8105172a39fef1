#include "control/server/NodeRegistry.hpp"

namespace cascade::control {

const char* ToString(HelloRefusal refusal) {
  switch (refusal) {
    case HelloRefusal::kEmptyId: return "empty_id";
    case HelloRefusal::kNoProof: return "no_proof";
    case HelloRefusal::kBadSecret: return "bad_secret";
    case HelloRefusal::kDuplicateId: return "duplicate_id";
    case HelloRefusal::kRepeatedHello: return "repeated_hello";
    case HelloRefusal::kNoSsrcRange: return "no_ssrc_range";
    case HelloRefusal::kCount: break;
  }
  return "?";
}

base::Result<HelloAck, HelloRefusal> NodeRegistry::Register(const NodeHello& hello, uint64_t now_us,
                                                            uint32_t heartbeat_interval_ms,
                                                            std::optional<uint32_t> assigned) {
  if (hello.node_id.empty()) return base::Fail(HelloRefusal::kEmptyId);
  auto range = ChooseRange(hello.node_id, hello.ssrc_range_start, now_us, assigned);
  if (!range) return base::Fail(HelloRefusal::kNoSsrcRange);
  if (const std::string* previous = ranges_.HolderOf(*range); previous && *previous != hello.node_id) {
    nodes_.at(*previous).ssrc_range_start = 0;  // dead long enough: its range moves on
  }
  ranges_.Assign(*range, hello.node_id);
  auto [it, inserted] = nodes_.try_emplace(hello.node_id);
  NodeRecord& record = it->second;
  if (inserted) record.registered_at_us = now_us;
  if (record.ssrc_range_start != 0 && record.ssrc_range_start != *range) {
    // The shared store moved the node: its old range is free here.
    const std::string* old_holder = ranges_.HolderOf(record.ssrc_range_start);
    if (old_holder && *old_holder == hello.node_id) ranges_.Release(record.ssrc_range_start);
  }
  record.ssrc_range_start = *range;
  record.hello = hello;
  record.last_heard_us = now_us;
  record.alive = true;
  HelloAck ack;
  ack.accepted = true;
  ack.heartbeat_interval_ms = heartbeat_interval_ms;
  ack.ssrc_range_start = *range;
  ack.ssrc_range_size = SsrcRanges::kSize;
  return ack;
}

std::optional<uint32_t> NodeRegistry::ChooseRange(const std::string& node_id, uint32_t claimed,
                                                  uint64_t now_us, std::optional<uint32_t> assigned) {
  if (assigned && SsrcRanges::IsRangeStart(*assigned)) {
    const std::string* holder = ranges_.HolderOf(*assigned);
    if (!holder || *holder == node_id || !nodes_.at(*holder).alive) return assigned;
  }
  if (auto known = nodes_.find(node_id); known != nodes_.end() && known->second.ssrc_range_start != 0) {
    return known->second.ssrc_range_start;
  }
  if (SsrcRanges::IsRangeStart(claimed) && Available(claimed, node_id, now_us)) return claimed;
  if (auto free = ranges_.AnyFree()) return free;
  // Full: the range of the node dead the longest, if long enough.
  const NodeRecord* oldest = nullptr;
  for (const auto& [id, record] : nodes_) {
    if (record.ssrc_range_start == 0 || !DeadLongEnough(record, now_us)) continue;
    if (!oldest || record.last_heard_us < oldest->last_heard_us) oldest = &record;
  }
  if (oldest) return oldest->ssrc_range_start;
  return std::nullopt;
}

bool NodeRegistry::Available(uint32_t start, const std::string& node_id, uint64_t now_us) const {
  const std::string* holder = ranges_.HolderOf(start);
  if (!holder || *holder == node_id) return true;
  return DeadLongEnough(nodes_.at(*holder), now_us);
}

bool NodeRegistry::DeadLongEnough(const NodeRecord& record, uint64_t now_us) const {
  return !record.alive && now_us >= record.last_heard_us &&
         now_us - record.last_heard_us >= options_.ssrc_reuse_after_us;
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

bool NodeRegistry::SetRooms(const std::string& node_id, std::vector<RoomReport> rooms) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end() || it->second.rooms == rooms) return false;
  it->second.rooms = std::move(rooms);
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
