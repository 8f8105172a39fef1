#include "tools/cascade/LinkEmulators.hpp"

#include <cmath>
#include <cstdio>

#include "topology/io/DataPath.hpp"
#include "topology/io/LatencyLoader.hpp"

namespace cascade::tools {

LinkEmulators::LinkEmulators(ChildProcesses& processes, Options options)
    : processes_(processes), options_(std::move(options)) {
  options_.matrix = topology::io::ResolveDataPath(options_.matrix);
  matrix_ = topology::io::LoadLatencyMatrix(options_.matrix, "");
}

const LinkEmulators::Running* LinkEmulators::Find(const std::string& parent, const std::string& child) const {
  auto it = by_pair_.find({parent, child});
  return it == by_pair_.end() ? nullptr : &running_[it->second];
}

std::optional<control::NodeAddress> LinkEmulators::Between(const End& parent, const End& child) {
  if (const Running* known = Find(parent.id, child.id)) {
    return control::NodeAddress{"127.0.0.1", known->listen_port, "udp"};
  }
  if (parent.region == child.region) return std::nullopt;
  auto from = matrix_.Find(child.region);
  auto to = matrix_.Find(parent.region);
  if (!from || !to || std::isnan(matrix_.RttMs(*from, *to))) return std::nullopt;
  if (running_.size() == kMaxEmulators) {
    if (!warned_full_) {
      std::fprintf(stderr, "up: no more link emulators (%zu ports); further links run without delay\n",
                   kMaxEmulators);
      warned_full_ = true;
    }
    return std::nullopt;
  }
  const size_t index = running_.size();
  Running emulator{parent.id,
                   child.id,
                   parent.region,
                   child.region,
                   static_cast<uint16_t>(options_.base_port + 1980 + index),
                   static_cast<uint16_t>(options_.base_port + 60 + index),
                   matrix_.OneWayMs(*from, *to)};
  char loss[32];
  std::snprintf(loss, sizeof(loss), "%.4f", options_.loss);
  pid_t pid = processes_.Spawn(
      "link emulator " + child.id + " -> " + parent.id,
      {"cascade", "linkemu", "--listen", "127.0.0.1:" + std::to_string(emulator.listen_port), "--to",
       parent.media.ip + ":" + std::to_string(parent.media.port), "--http",
       "127.0.0.1:" + std::to_string(emulator.http_port), "--delay-from-matrix", options_.matrix, "--from",
       child.region, "--to-region", parent.region, "--loss", loss, "--seed", std::to_string(index + 1)});
  if (pid < 0) {
    std::fprintf(stderr, "up: could not start a link emulator %s -> %s\n", child.id.c_str(),
                 parent.id.c_str());
    return std::nullopt;
  }
  std::printf(
      "up: started link emulator %s -> %s on udp 127.0.0.1:%u (http 127.0.0.1:%u), %s -> %s, %.0f ms each "
      "way, loss %.1f%%\n",
      child.id.c_str(), parent.id.c_str(), emulator.listen_port, emulator.http_port, child.region.c_str(),
      parent.region.c_str(), emulator.one_way_ms, options_.loss * 100);
  std::fflush(stdout);
  by_pair_[{parent.id, child.id}] = index;
  running_.push_back(std::move(emulator));
  return control::NodeAddress{"127.0.0.1", running_.back().listen_port, "udp"};
}

}  // namespace cascade::tools
