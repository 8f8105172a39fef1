#pragma once
// Helpers shared by the RTCP tests: fixture loading, hex, first-packet extraction.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/RtcpPacket.hpp"
#include "tests/TestData.hpp"

namespace cascade::rtcp::test {

inline std::vector<uint8_t> Fixture(const std::string& name) {
  return cascade::test::ReadBinary("rtcp/" + name);
}

inline std::vector<uint8_t> Hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// The first packet of a datagram; fails the test's expectations through `ok`.
inline bool FirstPacket(std::span<const uint8_t> bytes, RtcpPacket& out) {
  CompoundReader reader(bytes);
  return reader.Next(out);
}

inline std::vector<uint8_t> Bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

}  // namespace cascade::rtcp::test
