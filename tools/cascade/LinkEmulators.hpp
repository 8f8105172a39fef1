#pragma once
// The link emulators of `cascade up`: one `cascade linkemu` child process per (parent,
// child) node pair in different regions, started on the pair's first link and reused by
// every later stream on it. The child reaches its parent through the emulator, which adds
// the latency matrix's one-way delay (RTT/2, each direction) and random loss.
//
//   LinkEmulators emulators(processes, {base_port, "data/latency/gcp_2020_matrix_avg_ms.csv", 0.01});
//   tree.SetPathProvider([&](auto& parent, auto& child) { return emulators.Between(...); });
//
// Ports: emulator i listens on udp base + 1980 + i and serves GET/PUT /link on http base + 60 + i.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "control/client/ControlMessages.hpp"
#include "tools/cascade/ChildProcesses.hpp"
#include "topology/LatencyMatrix.hpp"

namespace cascade::tools {

class LinkEmulators {
 public:
  struct Options {
    uint16_t base_port = 8080;
    std::string matrix;  // RTT CSV; a relative path is tried from here, then from the source tree
    double loss = 0;     // each direction
  };
  // One end of a link: a node, its region and where it receives media.
  struct End {
    std::string id;
    std::string region;
    control::NodeAddress media;
  };
  struct Running {
    std::string parent;
    std::string child;
    std::string parent_region;
    std::string child_region;
    uint16_t listen_port = 0;
    uint16_t http_port = 0;
    double one_way_ms = 0;  // child -> parent
  };
  static constexpr size_t kMaxEmulators = 40;

  // Throws std::runtime_error when the matrix cannot be read. `processes` is borrowed.
  LinkEmulators(ChildProcesses& processes, Options options);

  // True when the matrix knows the region (so links to it can be emulated).
  bool Knows(const std::string& region) const { return matrix_.Find(region).has_value(); }
  // The address `child` should send to to reach `parent`: the pair's emulator, started now if
  // it is the pair's first link. nullopt: same region, a region the matrix lacks, or no
  // emulator could start (the link then runs direct; the reason goes to stderr once).
  std::optional<control::NodeAddress> Between(const End& parent, const End& child);
  const Running* Find(const std::string& parent, const std::string& child) const;
  const std::vector<Running>& running() const { return running_; }
  double loss() const { return options_.loss; }

 private:
  ChildProcesses& processes_;
  Options options_;
  topology::LatencyMatrix matrix_;
  std::vector<Running> running_;
  std::map<std::pair<std::string, std::string>, size_t> by_pair_;  // (parent, child) -> running_
  bool warned_full_ = false;
};

}  // namespace cascade::tools
