#include "core/base/Clock.hpp"

#include <time.h>

namespace cascade::base {

uint64_t SteadyClock::NowUs() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

SteadyClock& SteadyClock::Instance() {
  static SteadyClock clock;
  return clock;
}

uint64_t WallClockUs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace cascade::base
