#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <string>
#include <vector>

#include "core/ice/StunIntegrity.hpp"

using cascade::ice::StunIntegrity;

namespace {

// The same HMAC through OpenSSL's one-shot API over a patched copy of the prefix.
std::vector<uint8_t> Reference(const EVP_MD* md, const std::vector<uint8_t>& key, std::vector<uint8_t> prefix,
                               uint16_t length_field) {
  prefix[2] = static_cast<uint8_t>(length_field >> 8);
  prefix[3] = static_cast<uint8_t>(length_field);
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  static const uint8_t kEmpty = 0;
  HMAC(md, key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()), prefix.data(), prefix.size(),
       out.data(), &size);
  out.resize(size);
  return out;
}

}  // namespace

TEST_CASE("StunIntegrity::Compute equals OpenSSL HMAC for short, block-sized and long keys") {
  std::vector<uint8_t> prefix(84);
  for (size_t i = 0; i < prefix.size(); ++i) prefix[i] = static_cast<uint8_t>(i * 7);
  // Alternating sizes also exercise the per-thread key cache switching between keys; 200 bytes
  // is above the cache limit, so it is re-keyed every time.
  for (int round = 0; round < 2; ++round) {
    for (size_t key_size : {0, 1, 22, 64, 65, 128, 200}) {
      std::vector<uint8_t> key(key_size);
      for (size_t i = 0; i < key_size; ++i) key[i] = static_cast<uint8_t>(0xA0 + i);
      CAPTURE(key_size);
      for (auto algorithm : {StunIntegrity::Algorithm::kHmacSha1, StunIntegrity::Algorithm::kHmacSha256}) {
        std::array<uint8_t, StunIntegrity::kSha256Size> out{};
        REQUIRE(StunIntegrity::Compute(algorithm, key, prefix, 0x0040, out));
        const auto want =
            Reference(algorithm == StunIntegrity::Algorithm::kHmacSha1 ? EVP_sha1() : EVP_sha256(), key,
                      prefix, 0x0040);
        CHECK(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<long>(want.size())) == want);
      }
    }
  }
  std::array<uint8_t, StunIntegrity::kSha256Size> out{};
  CHECK_FALSE(
      StunIntegrity::Compute(StunIntegrity::Algorithm::kHmacSha1, {}, std::span(prefix).first(3), 0, out));
}

TEST_CASE("StunIntegrity::LongTermKey is MD5(username:realm:password)") {
  // RFC 5769 §2.4: MD5("<U+30DE><U+30C8><U+30EA><U+30C3><U+30AF><U+30B9>:example.org:TheMatrIX").
  const auto key = StunIntegrity::LongTermKey(
      "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9", "example.org", "TheMatrIX");
  unsigned int size = 0;
  std::array<uint8_t, 16> want{};
  const std::string input =
      "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9:example.org:TheMatrIX";
  EVP_Digest(input.data(), input.size(), want.data(), &size, EVP_md5(), nullptr);
  CHECK(key == want);
  CHECK(StunIntegrity::LongTermKey("a", "b", "c") != key);
}
