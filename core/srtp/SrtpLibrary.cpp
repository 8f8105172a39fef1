#include "core/srtp/SrtpLibrary.hpp"

#include <srtp2/srtp.h>

#include <cstdlib>
#include <mutex>

#include "core/base/Log.hpp"

namespace cascade::srtp {
namespace {

// Sessions are created on the control path of any loop thread, so the count is guarded;
// nothing on the packet path touches it.
std::mutex g_mutex;
uint32_t g_references = 0;

}  // namespace

void SrtpLibrary::Acquire() {
  std::lock_guard lock(g_mutex);
  if (g_references++ == 0) {
    srtp_err_status_t status = srtp_init();
    if (status != srtp_err_status_ok) {
      LOG_ERROR("srtp_init_failed", {"status", static_cast<int>(status)});
      std::abort();
    }
  }
}

SrtpLibrary::SrtpLibrary() { Acquire(); }

SrtpLibrary::SrtpLibrary(const SrtpLibrary&) { Acquire(); }

SrtpLibrary::~SrtpLibrary() {
  std::lock_guard lock(g_mutex);
  if (--g_references == 0) srtp_shutdown();
}

uint32_t SrtpLibrary::References() {
  std::lock_guard lock(g_mutex);
  return g_references;
}

}  // namespace cascade::srtp
