// Fuzzes the SDP a=fingerprint parser: never crashes, and a parsed value prints back to a
// string that parses to the same value (RFC 8122 §5 canonical form).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/dtls/Fingerprint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cascade::dtls::Fingerprint;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = Fingerprint::Parse(text);
  if (!parsed) return 0;
  if (parsed->digest().size() != cascade::dtls::DigestSize(parsed->algorithm())) __builtin_trap();
  const std::string printed = parsed->ToString();
  auto again = Fingerprint::Parse(printed);
  if (!again || !(*again == *parsed) || again->ToString() != printed) __builtin_trap();
  if (printed.size() != text.size()) __builtin_trap();  // same grammar, same length
  return 0;
}
