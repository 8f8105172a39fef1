#pragma once
// The keyed hashes behind MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) and
// MESSAGE-INTEGRITY-SHA256 (§14.6), and the credential keys of §9.
//
// The HMAC covers the message up to the integrity attribute with the header's length field
// replaced by one that ends just after that attribute (§14.5). Compute() therefore takes the
// prefix and the length to hash in place of bytes 2-3, so a parser can verify a received
// datagram without copying or modifying it.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace cascade::ice {

class StunIntegrity {
 public:
  enum class Algorithm : uint8_t { kHmacSha1, kHmacSha256 };
  static constexpr size_t kSha1Size = 20;
  static constexpr size_t kSha256Size = 32;

  // HMAC over prefix[0..2) || BE16(length_field) || prefix[4..). `prefix` must be at least the
  // 20-byte header. Writes 20 (SHA1) or 32 (SHA256) bytes to `out`; false if `prefix` is shorter
  // than 4 bytes. No heap allocation: per-thread hash states (one loop per thread, no locks)
  // keep the HMAC pads of the last key, so a repeated key costs only the message's hash blocks.
  static bool Compute(Algorithm algorithm, std::span<const uint8_t> key, std::span<const uint8_t> prefix,
                      uint16_t length_field, std::span<uint8_t, kSha256Size> out);

  // Short-term credentials (ICE): the key is the password's bytes (§9.1.1). OpaqueString
  // preparation is the identity for the ASCII ice-pwd characters of RFC 8839 §5.4.
  static std::span<const uint8_t> ShortTermKey(std::string_view password) {
    return {reinterpret_cast<const uint8_t*>(password.data()), password.size()};
  }
  // Long-term credentials (§9.2.2, no PASSWORD-ALGORITHM): MD5(username ":" realm ":" password).
  // The caller passes the SASLprep'ed / OpaqueString'ed strings.
  static std::array<uint8_t, 16> LongTermKey(std::string_view username, std::string_view realm,
                                             std::string_view password);
};

}  // namespace cascade::ice
