#pragma once
// Every media node the control plane knows: what it said in its hello, its last load, and
// whether it is alive (heard from within the timeout), and the SSRC range it holds.
// Pure state, time passed in.
//
// SSRC ranges: a node keeps the range it holds here across reconnects; a node new to this
// registry (or one whose range went elsewhere) gets the range its hello claims when that
// is free, else any free one. A range is never held by two live nodes; the range of a node
// dead for Options::ssrc_reuse_after_us may go to another node, which is also how a full
// space finds room. No room at all refuses the hello (kNoSsrcRange).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/client/ControlMessages.hpp"
#include "control/server/SsrcRanges.hpp"
#include "core/base/Result.hpp"

namespace cascade::control {

// Why control refused a hello, as counted in cascade_control_hello_refusals_total{reason}.
enum class HelloRefusal : uint8_t {
  kEmptyId,        // no node id
  kNoProof,        // control has auth.node_secret, the node sent no proof (it has none)
  kBadSecret,      // the proof does not verify: another secret, or replayed from elsewhere
  kDuplicateId,    // a live node with that id is connected
  kRepeatedHello,  // a second hello on a registered connection
  kNoSsrcRange,    // every SSRC range is held by a live (or recently dead) node
  kCount
};
const char* ToString(HelloRefusal refusal);

struct NodeRecord {
  NodeHello hello;
  NodeLoad load;
  uint64_t registered_at_us = 0;
  uint64_t last_heard_us = 0;
  uint64_t heartbeats = 0;
  bool alive = true;
  uint32_t ssrc_range_start = 0;  // 0: none (it went to another node while this one was dead)
  std::vector<RoomReport> rooms;  // as of the last heartbeat
};

class NodeRegistry {
 public:
  struct Options {
    // A dead node's SSRC range may go to another node after this long (its streams are
    // gone from the tree by then).
    uint64_t ssrc_reuse_after_us = 10ull * 60 * 1'000'000;
    uint64_t seed = 1;  // where searches for a free range start (SsrcRanges::AnyFree)
  };

  NodeRegistry() : NodeRegistry(Options{}) {}
  explicit NodeRegistry(Options options) : options_(options), ranges_(options.seed) {}

  // Registers or re-registers a node (see the top for its SSRC range). The ack is accepted;
  // a refusal leaves the registry as it was. `assigned`: the range a store shared by several
  // control replicas (RedisSsrcRanges) gave the node, taken unless a live node here holds it.
  base::Result<HelloAck, HelloRefusal> Register(const NodeHello& hello, uint64_t now_us,
                                                uint32_t heartbeat_interval_ms,
                                                std::optional<uint32_t> assigned = std::nullopt);
  // Returns false for a node that never said hello.
  bool Heartbeat(const std::string& node_id, const NodeLoad& load, uint64_t now_us);
  // Returns true when the report differs from the previous one.
  bool SetRooms(const std::string& node_id, std::vector<RoomReport> rooms);
  void MarkDisconnected(const std::string& node_id);
  // Marks nodes silent for longer than timeout as dead; returns the ids newly marked.
  std::vector<std::string> Expire(uint64_t now_us, uint64_t timeout_us);

  const std::map<std::string, NodeRecord>& nodes() const { return nodes_; }
  size_t alive_count() const;
  const SsrcRanges& ssrc_ranges() const { return ranges_; }

 private:
  // The range `node_id` gets now, or nullopt: none can be had.
  std::optional<uint32_t> ChooseRange(const std::string& node_id, uint32_t claimed, uint64_t now_us,
                                      std::optional<uint32_t> assigned);
  // Free, or held by a node dead long enough to give it away.
  bool Available(uint32_t start, const std::string& node_id, uint64_t now_us) const;
  bool DeadLongEnough(const NodeRecord& record, uint64_t now_us) const;

  Options options_;
  std::map<std::string, NodeRecord> nodes_;
  SsrcRanges ranges_;
};

}  // namespace cascade::control
