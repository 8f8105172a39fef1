#include "core/net/Timer.hpp"

namespace cascade::net {

Timer::Timer(Loop& loop, std::function<void()> on_fire)
    : handle_(new uv_timer_t), on_fire_(std::move(on_fire)) {
  uv_timer_init(loop.raw(), handle_);
  handle_->data = this;
}

Timer::~Timer() {
  handle_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(handle_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
}

void Timer::Start(uint64_t timeout_ms, uint64_t repeat_ms) {
  uv_timer_start(handle_, &Timer::OnTimer, timeout_ms, repeat_ms);
}
void Timer::Stop() { uv_timer_stop(handle_); }
bool Timer::active() const { return uv_is_active(reinterpret_cast<const uv_handle_t*>(handle_)) != 0; }

void Timer::OnTimer(uv_timer_t* handle) {
  auto* self = static_cast<Timer*>(handle->data);
  if (self) self->on_fire_();
}

}  // namespace cascade::net
