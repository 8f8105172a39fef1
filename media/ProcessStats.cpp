#include "media/ProcessStats.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace cascade::media {

uint64_t ProcessStats::ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

uint64_t ProcessStats::OpenFileDescriptors() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  uint64_t count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count > 0 ? count - 1 : 0;  // not the descriptor opendir itself holds
}

double ProcessStats::CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

float ProcessStats::CpuPercentSinceLastCall(uint64_t now_us) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  uint64_t cpu_us = static_cast<uint64_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000u +
                    static_cast<uint64_t>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  float percent = 0;
  if (last_wall_us_ != 0 && now_us > last_wall_us_) {
    percent = 100.0f * static_cast<float>(cpu_us - last_cpu_us_) / static_cast<float>(now_us - last_wall_us_);
  }
  last_cpu_us_ = cpu_us;
  last_wall_us_ = now_us;
  return percent;
}

}  // namespace cascade::media
