#pragma once
// Test fixtures live in tests/data (copied from ../shared/data with their licences).
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace cascade::test {

inline std::string DataPath(const std::string& relative) {
  return std::string(CASCADE_TEST_DATA_DIR) + "/" + relative;
}

inline std::vector<uint8_t> ReadBinary(const std::string& relative) {
  std::ifstream in(DataPath(relative), std::ios::binary);
  if (!in) throw std::runtime_error("missing test data: " + DataPath(relative));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string ReadText(const std::string& relative) {
  std::ifstream in(DataPath(relative), std::ios::binary);
  if (!in) throw std::runtime_error("missing test data: " + DataPath(relative));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace cascade::test
