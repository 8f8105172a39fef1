#include "core/ice/IceCredentials.hpp"

#include <openssl/rand.h>

#include <vector>

namespace cascade::ice {

std::string RandomIceString(size_t length) {
  static constexpr char kIceChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> bytes(length);
  RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string out;
  out.reserve(length);
  for (uint8_t b : bytes) out += kIceChars[b % 64];  // 256 is a multiple of 64: no bias
  return out;
}

}  // namespace cascade::ice
