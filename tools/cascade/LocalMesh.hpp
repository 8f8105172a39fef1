#pragma once
// `cascade up`: a whole mesh on one machine. The control plane runs in this process; every
// media node is a separate child process of this binary, talking to control over the real
// control channel, exactly as it would across machines.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/cascade/TreePlan.hpp"

namespace cascade::tools {

struct LocalMeshPlan {
  uint16_t base_port = 8080;  // control HTTP; every other port is derived from it
  int edges = 2;
  int relays = 1;
  int duration_s = 0;  // 0: until Ctrl-C
  // With a tree, the nodes come from it (edges/relays are ignored) and, once they are all
  // registered, control links every room along it, through link emulators where asked.
  std::optional<TreePlan> tree;

  struct Node {
    std::string role;  // "edge" | "relay"
    std::string id;
    std::string region;
    uint16_t http_port;
    uint16_t media_port;
    std::string parent;  // tree only
  };
  struct Emulator {
    std::string child;
    std::string parent;
    uint16_t listen_port;  // the child reaches its parent here
    uint16_t http_port;    // GET/PUT /link to change it at run time
    uint16_t parent_media_port;
  };
  uint16_t control_http_port() const { return base_port; }
  uint16_t control_channel_port() const { return static_cast<uint16_t>(base_port + 1); }
  std::vector<Node> Nodes() const;
  std::vector<Emulator> Emulators() const;
};

// Returns the process exit code: 0 when every node registered with control.
int RunLocalMesh(const LocalMeshPlan& plan);

}  // namespace cascade::tools
