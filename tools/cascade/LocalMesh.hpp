#pragma once
// `cascade up`: a whole mesh on one machine. The control plane runs in this process; every
// media node is a separate child process of this binary, talking to control over the real
// control channel, exactly as it would across machines.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cascade::tools {

struct LocalMeshPlan {
  uint16_t base_port = 8080;  // control HTTP; every other port is derived from it
  int edges = 2;
  int relays = 1;
  int duration_s = 0;  // 0: until Ctrl-C

  struct Node {
    std::string role;  // "edge" | "relay"
    std::string id;
    std::string region;
    uint16_t http_port;
    uint16_t media_port;
  };
  uint16_t control_http_port() const { return base_port; }
  uint16_t control_channel_port() const { return static_cast<uint16_t>(base_port + 1); }
  std::vector<Node> Nodes() const;
};

// Returns the process exit code: 0 when every node registered with control.
int RunLocalMesh(const LocalMeshPlan& plan);

}  // namespace cascade::tools
