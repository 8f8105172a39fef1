#pragma once
// A stream tree for `cascade up --tree FILE`: the nodes (role, region) and each node's
// parent. Every listed room flows from the root edge (where it is published) down every
// link; links between different regions can run through the link emulator with the delay
// of the real inter-region latency matrix and random loss.
//
//   rooms = ["demo"]
//   [emulation]                      # optional
//   matrix = "data/latency/gcp_2020_matrix_avg_ms.csv"
//   loss = 0.02                      # on inter-region links, each direction
//   [[node]]
//   id = "edge-eu"                   # the root: an edge without a parent
//   role = "edge"
//   region = "europe-west1"
//   [[node]]
//   id = "relay-eu"
//   role = "relay"
//   region = "europe-west1"
//   parent = "edge-eu"
#include <optional>
#include <string>
#include <vector>

namespace cascade::tools {

struct TreePlan {
  struct Node {
    std::string id;
    std::string role;  // "edge" | "relay"
    std::string region;
    std::string parent;  // empty: the root
  };
  std::vector<std::string> rooms;
  std::vector<Node> nodes;  // parents before their children
  std::string matrix;       // empty: no emulation
  double loss = 0;

  const Node* Find(const std::string& id) const;
  const Node& root() const { return nodes.front(); }
  // A link runs through the emulator when emulation is on and its ends are in different regions.
  bool Emulated(const Node& child) const;
};

// Throws std::runtime_error naming the file and what is wrong (unknown parent, cycle, a
// second root, a root that is not an edge, a duplicate id, ...).
TreePlan LoadTreePlan(const std::string& path);

}  // namespace cascade::tools
