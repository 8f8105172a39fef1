#pragma once
// Every component takes a Clock by reference instead of reading time itself, so that
// timers, NACK retries and consent expiry are tested with a ManualClock.
#include <cstdint>

namespace cascade::base {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual uint64_t NowUs() const = 0;
  uint64_t NowMs() const { return NowUs() / 1000; }
};

// CLOCK_MONOTONIC: never jumps with wall-clock adjustments.
class SteadyClock final : public Clock {
 public:
  uint64_t NowUs() const override;
  static SteadyClock& Instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(uint64_t start_us = 1'000'000) : now_us_(start_us) {}
  uint64_t NowUs() const override { return now_us_; }
  void AdvanceUs(uint64_t us) { now_us_ += us; }
  void AdvanceMs(uint64_t ms) { now_us_ += ms * 1000; }

 private:
  uint64_t now_us_;
};

// Wall-clock time for protocols that carry it (RTCP SR NTP timestamps, tokens).
uint64_t WallClockUs();

}  // namespace cascade::base
