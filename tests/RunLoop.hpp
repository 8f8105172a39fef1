#pragma once
// Runs a loop until `done()` holds (checked every millisecond) or `timeout_ms` passes, so
// tests wait for an event instead of sleeping a guessed time.
#include <cstdint>
#include <functional>

#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"

namespace cascade::test {

inline void RunUntil(net::Loop& loop, const std::function<bool()>& done, uint64_t timeout_ms = 5000) {
  net::Timer deadline(loop, [&loop] { loop.Stop(); });
  deadline.Start(timeout_ms);
  net::Timer poll(loop, [&] {
    if (done()) loop.Stop();
  });
  poll.Start(1, 1);
  loop.Run();
}

}  // namespace cascade::test
