#include "core/dtls/Fingerprint.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>

namespace cascade::dtls {
namespace {

struct AlgorithmName {
  FingerprintAlgorithm algorithm;
  std::string_view name;
};
// RFC 8122 §5 hash-func tokens we accept (md2/md5/sha-224 are not used by WebRTC peers).
constexpr AlgorithmName kAlgorithms[] = {
    {FingerprintAlgorithm::kSha1, "sha-1"},
    {FingerprintAlgorithm::kSha256, "sha-256"},
    {FingerprintAlgorithm::kSha384, "sha-384"},
    {FingerprintAlgorithm::kSha512, "sha-512"},
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

const EVP_MD* Digest(FingerprintAlgorithm algorithm) {
  switch (algorithm) {
    case FingerprintAlgorithm::kSha1: return EVP_sha1();
    case FingerprintAlgorithm::kSha256: return EVP_sha256();
    case FingerprintAlgorithm::kSha384: return EVP_sha384();
    case FingerprintAlgorithm::kSha512: return EVP_sha512();
  }
  return EVP_sha256();
}

}  // namespace

const char* ToString(FingerprintAlgorithm algorithm) {
  for (const auto& entry : kAlgorithms) {
    if (entry.algorithm == algorithm) return entry.name.data();
  }
  return "unknown";
}

size_t DigestSize(FingerprintAlgorithm algorithm) {
  switch (algorithm) {
    case FingerprintAlgorithm::kSha1: return 20;
    case FingerprintAlgorithm::kSha256: return 32;
    case FingerprintAlgorithm::kSha384: return 48;
    case FingerprintAlgorithm::kSha512: return 64;
  }
  return 0;
}

Fingerprint::Fingerprint(FingerprintAlgorithm algorithm, std::span<const uint8_t> digest)
    : algorithm_(algorithm) {
  size_ = static_cast<uint8_t>(std::min(digest.size(), kMaxSize));
  std::memcpy(digest_.data(), digest.data(), size_);
}

std::optional<Fingerprint> Fingerprint::Parse(std::string_view text) {
  // RFC 8122 §5: fingerprint-attribute = hash-func SP fingerprint
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view name = text.substr(0, space);
  std::string_view hex = text.substr(space + 1);

  const AlgorithmName* found = nullptr;
  for (const auto& entry : kAlgorithms) {
    if (EqualsIgnoreCase(entry.name, name)) found = &entry;
  }
  if (found == nullptr) return std::nullopt;

  // fingerprint = 2UHEX *(":" 2UHEX): exactly 3*n-1 characters for n bytes.
  const size_t n = DigestSize(found->algorithm);
  if (hex.size() != 3 * n - 1) return std::nullopt;
  std::array<uint8_t, kMaxSize> digest{};
  for (size_t i = 0; i < n; ++i) {
    const int hi = HexValue(hex[3 * i]);
    const int lo = HexValue(hex[3 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i + 1 < n && hex[3 * i + 2] != ':') return std::nullopt;
    digest[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return Fingerprint(found->algorithm, std::span<const uint8_t>(digest.data(), n));
}

std::optional<Fingerprint> Fingerprint::Of(const x509_st* certificate, FingerprintAlgorithm algorithm) {
  if (certificate == nullptr) return std::nullopt;
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (X509_digest(certificate, Digest(algorithm), digest.data(), &size) != 1) return std::nullopt;
  return Fingerprint(algorithm, std::span<const uint8_t>(digest.data(), size));
}

std::string Fingerprint::ToString() const {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = dtls::ToString(algorithm_);
  out.reserve(out.size() + 1 + 3 * size_);
  out += ' ';
  for (size_t i = 0; i < size_; ++i) {
    if (i > 0) out += ':';
    out += kHex[digest_[i] >> 4];
    out += kHex[digest_[i] & 0xf];
  }
  return out;
}

bool Fingerprint::operator==(const Fingerprint& other) const {
  // Constant time over the digest: the fingerprint is public, but the habit costs nothing.
  return algorithm_ == other.algorithm_ && size_ == other.size_ &&
         CRYPTO_memcmp(digest_.data(), other.digest_.data(), size_) == 0;
}

}  // namespace cascade::dtls
