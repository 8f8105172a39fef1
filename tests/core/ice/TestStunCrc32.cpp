#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "core/ice/StunCrc32.hpp"

using cascade::ice::StunCrc32;

namespace {

// Bit-at-a-time reference, the definition the table is derived from.
uint32_t ReferenceCrc32(const std::vector<uint8_t>& data) {
  uint32_t c = 0xFFFFFFFF;
  for (uint8_t byte : data) {
    c ^= byte;
    for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
  }
  return ~c;
}

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("StunCrc32 matches the standard check values") {
  struct Case {
    std::string_view input;
    uint32_t crc;
  };
  const Case cases[] = {
      {"", 0x00000000},
      {"a", 0xE8B7BE43},
      {"123456789", 0xCBF43926},  // the CRC-32 "check" value
      {"The quick brown fox jumps over the lazy dog", 0x414FA339},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    CHECK(StunCrc32(Bytes(c.input)) == c.crc);
  }
}

TEST_CASE("StunCrc32 equals the bitwise reference for every length and split") {
  std::mt19937 rng(7);
  for (size_t len = 0; len < 80; ++len) {
    std::vector<uint8_t> data(len);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    const uint32_t expected = ReferenceCrc32(data);
    CHECK(StunCrc32(data) == expected);
    const size_t split = len / 3;
    const std::span<const uint8_t> all(data);
    CHECK(StunCrc32(all.subspan(split), StunCrc32(all.first(split))) == expected);
  }
}
