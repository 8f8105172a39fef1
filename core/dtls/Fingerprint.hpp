#pragma once
// A certificate fingerprint as carried in SDP `a=fingerprint:` (RFC 8122 §5):
// "sha-256 AB:CD:...": a hash function name, a space, then the uppercase hex bytes of the
// hash of the DER certificate joined by colons.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct x509_st;  // OpenSSL's X509

namespace cascade::dtls {

enum class FingerprintAlgorithm : uint8_t { kSha1, kSha256, kSha384, kSha512 };

const char* ToString(FingerprintAlgorithm algorithm);  // "sha-256", the SDP token

class Fingerprint {
 public:
  static constexpr size_t kMaxSize = 64;  // SHA-512

  Fingerprint() = default;
  Fingerprint(FingerprintAlgorithm algorithm, std::span<const uint8_t> digest);

  // Parses the attribute value (without "a=fingerprint:"). The hash name is matched
  // case-insensitively and hex digits in either case (RFC 8122 §5 grammar says uppercase,
  // but browsers have sent lowercase); anything else, including a digest of the wrong
  // length for its algorithm, returns nullopt.
  static std::optional<Fingerprint> Parse(std::string_view text);
  // Hashes the DER encoding of `certificate`; nullopt only if OpenSSL fails.
  static std::optional<Fingerprint> Of(const x509_st* certificate, FingerprintAlgorithm algorithm);

  FingerprintAlgorithm algorithm() const { return algorithm_; }
  std::span<const uint8_t> digest() const { return {digest_.data(), size_}; }
  std::string ToString() const;  // "sha-256 AB:CD:..."

  bool operator==(const Fingerprint& other) const;

 private:
  FingerprintAlgorithm algorithm_ = FingerprintAlgorithm::kSha256;
  std::array<uint8_t, kMaxSize> digest_{};
  uint8_t size_ = 0;
};

size_t DigestSize(FingerprintAlgorithm algorithm);

}  // namespace cascade::dtls
