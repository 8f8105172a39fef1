#pragma once
#include <uv.h>

#include <cstdint>
#include <functional>

#include "core/net/Loop.hpp"

namespace cascade::net {

// A libuv timer. The uv handle is allocated by this and freed in its close callback,
// so the Timer object may be destroyed at any time, even from inside its own callback.
class Timer {
 public:
  Timer(Loop& loop, std::function<void()> on_fire);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void Start(uint64_t timeout_ms, uint64_t repeat_ms = 0);
  void Stop();
  bool active() const;

 private:
  static void OnTimer(uv_timer_t* handle);

  uv_timer_t* handle_;  // allocated by this, freed by the close callback
  std::function<void()> on_fire_;
};

}  // namespace cascade::net
