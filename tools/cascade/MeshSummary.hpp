#pragma once
// The live summary `cascade up` prints: nodes per region (alive/total, viewers per edge),
// then each room's tree as an indented tree with every link's RTT and loss after repair,
// read from control's registry and tree state and each node's /metrics. It reprints at once
// when the shape changes (a node up or down, a link, a viewer count) and otherwise at most
// every 10 s, only when a figure changed, so a quiet mesh stays quiet.
//
//   up: 7/7 nodes alive, 1 room with a tree  (node logs: /tmp/cascade-up-8080.log)
//     europe-west1       3/3 alive  viewers 5 (edge-europe-west1-1 5 +1 publisher, edge-europe-west1-2 0) cpu
//     up to 3% us-east1           2/2 alive  viewers 5 (edge-us-east1-1 5)  cpu up to 2% room demo
//       edge-europe-west1-1  1 publisher, 5 viewers
//       └─ relay-us-east1-1  via emulator 47 ms each way  rtt 101 ms  loss 0.00% (1.21% before repair)
//          └─ edge-us-east1-1  5 viewers  rtt <1 ms  loss 0.00% (1.21% before repair)
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/server/NodeRegistry.hpp"
#include "control/server/TreeCommands.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "tools/cascade/LinkEmulators.hpp"
#include "tools/loadgen/HttpClient.hpp"

namespace cascade::tools {

// What one summary shows; pure data so the formatting is tested without a mesh.
struct MeshSnapshot {
  struct Node {
    std::string id;
    std::string role;  // "edge" | "relay"
    std::string region;
    bool alive = false;
    std::optional<int> viewers;     // edges, from /metrics
    std::optional<int> publishers;  // edges, from /metrics
    double cpu_percent = 0;         // from the node's heartbeats
  };
  // A link as its child sees it (the child's /metrics, labelled with the parent).
  struct Link {
    std::string parent;
    std::string child;
    bool linked = false;                 // false: commands still in flight
    std::optional<double> rtt_ms;        // cascade_link_rtt_seconds
    std::optional<double> loss_pct;      // lost after repair / (received + lost), since the link began
    std::optional<double> repaired_pct;  // lost before repair, the same way
    std::optional<double> emulated_one_way_ms;
    std::optional<double> bitrate_bps;  // received by the child, between two scrapes (cascade ctl tree)
  };
  std::vector<Node> nodes;                         // sorted by id
  std::vector<std::string> regions;                // display order
  std::map<std::string, std::vector<Link>> rooms;  // room -> links
  std::string log_file;                            // shown in the heading when not empty
};

// Every line of the summary, each ending with '\n'. With `figures` false, the RTT and loss
// figures are left out: what remains is the shape used to decide when to reprint.
std::string FormatMeshSummary(const MeshSnapshot& snapshot, bool figures = true);
// One room's block of that summary ("  room NAME" and its tree, origin first); `cascade ctl
// tree` prints the same. Nothing for a room not in the snapshot.
std::string FormatRoomTree(const MeshSnapshot& snapshot, const std::string& room, bool figures = true);
// "850 kbit/s", "2.31 Mbit/s".
std::string FormatBitrate(double bits_per_second);
// The RTT and loss of this node's link to `peer` from its /metrics text (only the figure
// fields are set); nullopt when it has no such link.
std::optional<MeshSnapshot::Link> ReadLinkFigures(std::string_view metrics, const std::string& peer);

class MeshSummary {
 public:
  // How often a block whose only changes are RTT and loss figures is printed again.
  static constexpr uint64_t kFiguresRefreshMs = 10'000;

  // Everything is borrowed and must outlive this; `emulators` may be null.
  MeshSummary(net::Loop& loop, const control::NodeRegistry& registry, const control::TreeCommands& tree,
              const LinkEmulators* emulators, std::vector<std::string> regions, std::string log_file);
  ~MeshSummary();

  // Scrapes every second and prints when the rules above say so.
  void Start();
  MeshSnapshot Snapshot() const;

 private:
  struct NodeFigures {
    std::optional<double> viewers;
    std::optional<double> publishers;
    std::map<std::string, MeshSnapshot::Link> links_by_peer;  // only the figure fields are set
  };
  void Scrape();
  void MaybePrint();

  net::Loop& loop_;
  const control::NodeRegistry& registry_;
  const control::TreeCommands& tree_;
  const LinkEmulators* emulators_;
  std::vector<std::string> regions_;
  std::string log_file_;
  std::map<std::string, std::unique_ptr<loadgen::HttpClient>> clients_;  // by node id
  std::map<std::string, NodeFigures> figures_;                           // by node id
  std::unique_ptr<net::Timer> timer_;
  std::string printed_shape_;
  std::string printed_text_;
  uint64_t printed_ms_ = 0;
};

}  // namespace cascade::tools
