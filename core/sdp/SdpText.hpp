#pragma once
// Small text helpers shared by the SDP parser, serializer and candidate code. Everything
// works on string_views of the caller's text and checks bounds and numeric ranges.
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cascade::sdp::text {

// Splits on runs of spaces (RFC 8866 separates fields with a single SP; browsers and
// hand-written SDP sometimes use more). Empty input gives no tokens.
inline std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

inline std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline std::string_view SkipSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

// Decimal digits only (no sign, no spaces), value <= max.
inline std::optional<uint64_t> ParseUint(std::string_view s,
                                         uint64_t max = std::numeric_limits<uint64_t>::max()) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || value > max) return std::nullopt;
  return value;
}

inline bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

inline bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 8839 §5.1 ice-char = ALPHA / DIGIT / "+" / "/".
inline bool IsIceChars(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '+' && c != '/') return false;
  }
  return true;
}

// RFC 8866 §9 token-char: visible ASCII except a few separators.
inline bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (c == '"' || c == '(' || c == ')' || c == ',' || c == '/' || c == ':' || c == ';' || c == '<' ||
        c == '=' || c == '>' || c == '?' || c == '@' || c == '[' || c == '\\' || c == ']' || c == '{' ||
        c == '}')
      return false;
  }
  return true;
}

template <typename Parts>
std::string Join(const Parts& parts, std::string_view sep) {
  std::string out;
  bool first = true;
  for (const auto& p : parts) {
    if (!first) out += sep;
    out += p;
    first = false;
  }
  return out;
}

// Quotes a peer-provided value for an error message, cut to a readable length.
inline std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = "'";
  out += s.substr(0, kMax);
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

// Appends SDP lines ("<type>=<value>", "a=<name>[:<value>]") to a string: the one writer of
// both the whole-description serializer and the trickle fragment serializer.
class LineWriter {
 public:
  explicit LineWriter(std::string& out) : out_(out) {}

  void Line(char type, std::string_view value) {
    out_ += type;
    out_ += '=';
    out_ += value;
    out_ += "\r\n";
  }
  void Attr(std::string_view name) {
    out_ += "a=";
    out_ += name;
    out_ += "\r\n";
  }
  void Attr(std::string_view name, std::string_view value) {
    out_ += "a=";
    out_ += name;
    out_ += ':';
    out_ += value;
    out_ += "\r\n";
  }
  // Attributes kept as parsed (name and optional value), in their order.
  template <typename Attributes>
  void Others(const Attributes& attributes) {
    for (const auto& a : attributes) {
      if (a.value) {
        Attr(a.name, *a.value);
      } else {
        Attr(a.name);
      }
    }
  }

 private:
  std::string& out_;
};

}  // namespace cascade::sdp::text
