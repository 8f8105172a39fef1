#pragma once
// `cascade up`: a whole mesh on one machine. The control plane runs in this process; every
// media node is a separate child process of this binary, talking to control over the real
// control channel, exactly as it would across machines.
//
// Without a tree file the nodes sit in several emulated regions (relays and edges in each,
// ids naming the region: edge-europe-west1-1, relay-us-east1-1) and control links them at
// run time; every link between two regions runs through a link emulator started on the
// pair's first link, with the latency matrix's delay. With a tree file the nodes and links
// come from the file, as before. Node and emulator logs go to a log file; stdout tells the
// mesh's story: what started, when every node registered, and a live summary.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/cascade/TreePlan.hpp"

namespace cascade::tools {

struct LocalMeshPlan {
  uint16_t base_port = 8080;  // control HTTP; every other port is derived from it
  std::vector<std::string> regions = {"europe-west1", "us-east1", "asia-northeast1"};
  int edges = 0;   // per region; 0: 2 in the first region, 1 in each other
  int relays = 1;  // per region
  std::string matrix = "data/latency/gcp_2020_matrix_avg_ms.csv";  // regions must be in it
  double loss = 0;       // on emulated inter-region links, each direction
  std::string log_file;  // empty: /tmp/cascade-up-<base port>.log; "-": our stderr
  int duration_s = 0;    // 0: until Ctrl-C
  // With a tree, the nodes come from it (regions/edges/relays are ignored) and, once they are
  // all registered, control links every room along it, through link emulators where asked.
  std::optional<TreePlan> tree;

  static constexpr int kMaxEdges = 20;  // port ranges: edges base + 10.., relays base + 30..
  static constexpr int kMaxRelays = 20;

  struct Node {
    std::string role;  // "edge" | "relay"
    std::string id;
    std::string region;
    uint16_t http_port;
    uint16_t media_port;
    std::string parent;  // tree only
  };
  uint16_t control_http_port() const { return base_port; }
  uint16_t control_channel_port() const { return static_cast<uint16_t>(base_port + 1); }
  int EdgesIn(size_t region_index) const { return edges > 0 ? edges : (region_index == 0 ? 2 : 1); }
  // Region by region, relays then edges; edge k (in that order) gets HTTP base + 10 + k.
  std::vector<Node> Nodes() const;
  std::string LogFile() const;
  // Throws std::invalid_argument naming what is wrong (too many nodes, a duplicate region).
  void Check() const;
};

// Returns the process exit code: 0 when every node registered with control, stayed alive
// and exited cleanly, and (with a tree) every link was made.
int RunLocalMesh(const LocalMeshPlan& plan);

}  // namespace cascade::tools
