#pragma once
// Calls `on_signal(signum)` on the loop when the process gets SIGINT or SIGTERM (Ctrl-C, a
// polite kill), so that a daemon stops cleanly instead of dying mid-write. Does not keep the
// loop alive by itself. The handles are freed by their close callbacks, so this may be
// destroyed before the loop has run again.
#include <uv.h>

#include <array>
#include <functional>

#include "core/net/Loop.hpp"

namespace cascade::net {

class SignalWatch {
 public:
  SignalWatch(Loop& loop, std::function<void(int)> on_signal);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

 private:
  std::function<void(int)> on_signal_;
  std::array<uv_signal_t*, 2> handles_{};  // allocated by this, freed by their close callbacks
};

}  // namespace cascade::net
