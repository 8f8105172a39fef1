#pragma once
// One libuv loop per thread. Components take a Loop& in their constructor (never a global
// or thread_local loop), so tests can run several nodes in one process.
#include <uv.h>

#include <functional>
#include <vector>

#include "core/base/Clock.hpp"

namespace cascade::net {

class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  uv_loop_t* raw() { return &loop_; }
  const base::Clock& clock() const { return base::SteadyClock::Instance(); }

  // Runs until Stop() or until nothing is left to do.
  void Run();
  // Runs one non-blocking iteration; for tests that step two nodes in turn.
  void RunOnce();
  void Stop();

  // Called right before the loop blocks for I/O, once per iteration: UDP sockets flush
  // their queued datagrams here, so every packet produced in one iteration leaves in one
  // sendmmsg batch.
  using Hook = std::function<void()>;
  size_t AddBeforePollHook(Hook hook);
  void RemoveBeforePollHook(size_t id);

 private:
  static void OnPrepare(uv_prepare_t* handle);

  uv_loop_t loop_{};
  uv_prepare_t prepare_{};
  std::vector<std::pair<size_t, Hook>> hooks_;
  size_t next_hook_id_ = 1;
};

}  // namespace cascade::net
