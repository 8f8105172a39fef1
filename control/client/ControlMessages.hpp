#pragma once
// Plain structs for what travels on the control channel. Media code sees only these;
// ControlCodec is the one place that touches the generated FlatBuffers types.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cascade::control {

enum class NodeRole : uint8_t { kEdge, kRelay };
const char* ToString(NodeRole role);

struct NodeAddress {
  std::string ip;
  uint16_t port = 0;
  std::string transport = "udp";
};

struct NodeCapacity {
  uint32_t max_sessions = 0;
  uint32_t max_users = 0;
  uint64_t egress_bps = 0;
  uint16_t cores = 1;
};

struct NodeLoad {
  uint32_t sessions = 0;
  uint32_t users = 0;
  float cpu_percent = 0;
  uint64_t egress_bps = 0;
  uint64_t packets_per_second = 0;
  uint64_t rss_bytes = 0;
};

struct NodeHello {
  std::string node_id;
  NodeRole role = NodeRole::kEdge;
  std::string region;
  std::vector<NodeAddress> media_addresses;
  std::string http_url;
  NodeCapacity capacity;
  std::string certificate_fingerprint;
  std::string version;
  std::string proof;              // NodeProof; empty: the node has no node secret
  uint32_t ssrc_range_start = 0;  // the range it held before; 0: none
};

struct HelloAck {
  bool accepted = false;
  std::string reason;
  uint32_t heartbeat_interval_ms = 1000;
  uint32_t ssrc_range_start = 0;
  uint32_t ssrc_range_size = 0;
  uint32_t retry_after_ms = 0;  // refused: wait at least this long before the next hello
};

// One room as a node carries it (heartbeats report every room, see control.fbs).
struct RoomReport {
  std::string name;
  bool publisher = false;
  uint32_t viewers = 0;
  std::string parent;

  bool operator==(const RoomReport&) const = default;
};

struct Heartbeat {
  uint64_t seq = 0;
  NodeLoad load;
  std::vector<RoomReport> rooms;
};

// ICE credentials of one parent-child link (control picks them once per node pair; every
// stream between the two nodes reuses them).
struct LinkCredentials {
  std::string parent_ufrag;
  std::string child_ufrag;
  std::string password;

  bool operator==(const LinkCredentials&) const = default;
};

// To the child: pull the stream from this parent over `link`.
struct AttachStream {
  std::string stream_id;
  std::string parent_node_id;
  std::optional<NodeAddress> parent_address;
  std::string parent_fingerprint;
  LinkCredentials link;
};

// To the child: stop pulling the stream (child_node_id empty). To the parent: stop serving
// it to child_node_id.
struct DetachStream {
  std::string stream_id;
  std::string child_node_id;
};

// To the parent: serve the stream to this child over `link`.
struct ServeChild {
  std::string stream_id;
  std::string child_node_id;
  std::optional<NodeAddress> child_address;
  std::string child_fingerprint;
  LinkCredentials link;
};

struct CommandResult {
  bool ok = false;
  std::string error;
};

// node -> control: a parent went silent while it carried media.
struct ParentLost {
  std::string parent_node_id;
  uint32_t silent_ms = 0;
};

// control -> node: a liveness probe, answered by the control channel itself.
struct Ping {};

using ControlBody = std::variant<NodeHello, HelloAck, Heartbeat, AttachStream, DetachStream, ServeChild,
                                 CommandResult, ParentLost, Ping>;

struct ControlMessage {
  uint64_t id = 0;
  ControlBody body;
};

}  // namespace cascade::control
