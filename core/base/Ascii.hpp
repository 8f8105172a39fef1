#pragma once
// Case-insensitive comparison of protocol tokens (SDP encoding names, attribute keys): ASCII
// only, as the grammars define them, independent of the locale.
#include <cstddef>
#include <string_view>

namespace cascade::base {

inline bool EqualsAsciiIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace cascade::base
