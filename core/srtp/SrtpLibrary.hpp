#pragma once
// libsrtp keeps process-wide state (its crypto kernel) that srtp_init() sets up and
// srtp_shutdown() tears down. Every SrtpSession holds an SrtpLibrary, so the library stays
// initialised exactly as long as some session (or owner) needs it.
#include <cstdint>

namespace cascade::srtp {

class SrtpLibrary {
 public:
  // Calls srtp_init() when the first reference is taken; aborts if libsrtp cannot start
  // (its self-tests failed: a broken build, not a runtime condition).
  SrtpLibrary();
  ~SrtpLibrary();
  SrtpLibrary(const SrtpLibrary&);
  SrtpLibrary& operator=(const SrtpLibrary&) = default;

  // Live references in the process; for tests.
  static uint32_t References();

 private:
  static void Acquire();
};

}  // namespace cascade::srtp
