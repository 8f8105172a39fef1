#include "core/net/SignalWatch.hpp"

#include <csignal>

namespace cascade::net {

SignalWatch::SignalWatch(Loop& loop, std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  const int signals[2] = {SIGINT, SIGTERM};
  for (size_t i = 0; i < handles_.size(); ++i) {
    auto* handle = new uv_signal_t;
    uv_signal_init(loop.raw(), handle);
    handle->data = this;
    uv_signal_start(
        handle, [](uv_signal_t* h, int signum) { static_cast<SignalWatch*>(h->data)->on_signal_(signum); },
        signals[i]);
    uv_unref(reinterpret_cast<uv_handle_t*>(handle));
    handles_[i] = handle;
  }
}

SignalWatch::~SignalWatch() {
  for (auto* handle : handles_) {
    uv_close(reinterpret_cast<uv_handle_t*>(handle),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
  }
}

}  // namespace cascade::net
