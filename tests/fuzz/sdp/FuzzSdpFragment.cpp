// Parses arbitrary bytes as an application/trickle-ice-sdpfrag body (WHIP/WHEP PATCH). On
// success: serialize, re-parse and require the same fragment (every field); on failure
// require a message, since the edge answers 400 with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/sdp/SdpFragment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cascade::sdp;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseSdpFragment(text);
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (parsed->CandidateCount() > kMaxSdpFragmentCandidates) __builtin_trap();
  std::string serialized = SerializeSdpFragment(*parsed);
  // LF input grows by one CR per line; past the size limit a re-parse is refused by design.
  if (serialized.size() <= kMaxSdpFragmentSize) {
    auto again = ParseSdpFragment(serialized);
    if (!again.ok() || !(*again == *parsed)) __builtin_trap();
  }
  return 0;
}
