#pragma once
// What a node reports about itself in heartbeats: resident memory and CPU use, read from
// /proc/self so that no sampling thread is needed.
#include <cstdint>

namespace cascade::media {

class ProcessStats {
 public:
  static uint64_t ResidentBytes();
  // Entries in /proc/self/fd (sockets, timers' fds, files); 0 when it cannot be read.
  static uint64_t OpenFileDescriptors();
  // User plus system CPU time this process has used since it started, in seconds.
  static double CpuSeconds();
  // CPU percent of one core since the previous call (first call: since process start).
  float CpuPercentSinceLastCall(uint64_t now_us);

 private:
  uint64_t last_cpu_us_ = 0;
  uint64_t last_wall_us_ = 0;
};

}  // namespace cascade::media
