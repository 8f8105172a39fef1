#include "core/net/Loop.hpp"

#include <algorithm>
#include <cstdlib>

namespace cascade::net {

Loop::Loop() {
  if (uv_loop_init(&loop_) != 0) std::abort();
  uv_prepare_init(&loop_, &prepare_);
  prepare_.data = this;
  uv_prepare_start(&prepare_, &Loop::OnPrepare);
  // The prepare handle alone must not keep the loop alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&prepare_));
}

Loop::~Loop() {
  uv_prepare_stop(&prepare_);
  uv_close(reinterpret_cast<uv_handle_t*>(&prepare_), nullptr);
  // Let close callbacks of every handle run so their memory is freed.
  uv_walk(
      &loop_,
      [](uv_handle_t* handle, void*) {
        if (!uv_is_closing(handle)) uv_close(handle, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

void Loop::Run() { uv_run(&loop_, UV_RUN_DEFAULT); }
void Loop::RunOnce() { uv_run(&loop_, UV_RUN_NOWAIT); }
void Loop::Stop() { uv_stop(&loop_); }

size_t Loop::AddBeforePollHook(Hook hook) {
  size_t id = next_hook_id_++;
  hooks_.emplace_back(id, std::move(hook));
  return id;
}

void Loop::RemoveBeforePollHook(size_t id) {
  std::erase_if(hooks_, [id](const auto& entry) { return entry.first == id; });
}

void Loop::OnPrepare(uv_prepare_t* handle) {
  auto* self = static_cast<Loop*>(handle->data);
  for (auto& [id, hook] : self->hooks_) hook();
}

}  // namespace cascade::net
