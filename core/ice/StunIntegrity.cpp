#include "core/ice/StunIntegrity.hpp"

// HMAC is built here on the one-shot SHA contexts rather than EVP_MAC: with EVP_MAC every
// re-initialisation duplicates provider contexts (2-5 heap allocations per packet, measured with
// CRYPTO_set_mem_functions), while SHA_CTX/SHA256_CTX are plain structs copied on the stack.
// They are deprecated in OpenSSL 3 but still shipped; if they go, only this file changes.
// The warning is silenced by pragma, not OPENSSL_SUPPRESS_DEPRECATED: in a unity build another
// file has included <openssl/sha.h> before this one.
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>

namespace cascade::ice {

namespace {

constexpr size_t kBlockSize = 64;  // SHA-1 and SHA-256 (RFC 2104: B = 64)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct Sha1 {
  using Ctx = SHA_CTX;
  static constexpr size_t kSize = SHA_DIGEST_LENGTH;
  static void Init(Ctx* c) { SHA1_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA1_Update(c, d, n); }
  static void Final(uint8_t* out, Ctx* c) { SHA1_Final(out, c); }
};

struct Sha256 {
  using Ctx = SHA256_CTX;
  static constexpr size_t kSize = SHA256_DIGEST_LENGTH;
  static void Init(Ctx* c) { SHA256_Init(c); }
  static void Update(Ctx* c, const void* d, size_t n) { SHA256_Update(c, d, n); }
  static void Final(uint8_t* out, Ctx* c) { SHA256_Final(out, c); }
};
#pragma GCC diagnostic pop

// RFC 2104 HMAC with the hash states after the ipad and opad blocks kept for the last key, so a
// repeated key (the same ICE password for every check of a session) costs only the message
// blocks plus one outer block, and no key schedule.
template <typename H>
class PrecomputedHmac {
 public:
  void Compute(std::span<const uint8_t> key, std::span<const uint8_t> prefix, uint16_t length_field,
               std::span<uint8_t> out) {
    if (!Cached(key)) SetKey(key);
    typename H::Ctx c = inner_;
    const uint8_t length_be[2] = {static_cast<uint8_t>(length_field >> 8),
                                  static_cast<uint8_t>(length_field)};
    H::Update(&c, prefix.data(), 2);
    H::Update(&c, length_be, 2);
    H::Update(&c, prefix.data() + 4, prefix.size() - 4);
    uint8_t inner_hash[H::kSize];
    H::Final(inner_hash, &c);
    c = outer_;
    H::Update(&c, inner_hash, H::kSize);
    H::Final(out.data(), &c);
  }

 private:
  static constexpr size_t kMaxCachedKey = 128;

  bool Cached(std::span<const uint8_t> key) const {
    return has_key_ && key.size() == key_size_ &&
           (key.empty() || std::memcmp(key.data(), key_.data(), key.size()) == 0);
  }

  void SetKey(std::span<const uint8_t> key) {
    uint8_t k0[kBlockSize] = {};
    if (key.size() > kBlockSize) {  // RFC 2104 §2: longer keys are hashed first
      typename H::Ctx c;
      H::Init(&c);
      H::Update(&c, key.data(), key.size());
      H::Final(k0, &c);
    } else if (!key.empty()) {
      std::memcpy(k0, key.data(), key.size());
    }
    uint8_t pad[kBlockSize];
    for (size_t i = 0; i < kBlockSize; ++i) pad[i] = k0[i] ^ 0x36;
    H::Init(&inner_);
    H::Update(&inner_, pad, kBlockSize);
    for (size_t i = 0; i < kBlockSize; ++i) pad[i] = k0[i] ^ 0x5c;
    H::Init(&outer_);
    H::Update(&outer_, pad, kBlockSize);
    has_key_ = key.size() <= kMaxCachedKey;
    if (has_key_) {
      if (!key.empty()) std::memcpy(key_.data(), key.data(), key.size());
      key_size_ = key.size();
    }
  }

  typename H::Ctx inner_{};
  typename H::Ctx outer_{};
  bool has_key_ = false;
  size_t key_size_ = 0;
  std::array<uint8_t, kMaxCachedKey> key_{};
};

// One per thread: one event loop per thread, so no locks and no sharing.
thread_local PrecomputedHmac<Sha1> t_sha1;
thread_local PrecomputedHmac<Sha256> t_sha256;

}  // namespace

bool StunIntegrity::Compute(Algorithm algorithm, std::span<const uint8_t> key,
                            std::span<const uint8_t> prefix, uint16_t length_field,
                            std::span<uint8_t, kSha256Size> out) {
  if (prefix.size() < 4) return false;
  if (algorithm == Algorithm::kHmacSha1) {
    t_sha1.Compute(key, prefix, length_field, out.first(kSha1Size));
  } else {
    t_sha256.Compute(key, prefix, length_field, out);
  }
  return true;
}

std::array<uint8_t, 16> StunIntegrity::LongTermKey(std::string_view username, std::string_view realm,
                                                   std::string_view password) {
  std::array<uint8_t, 16> key{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int size = 0;
  const bool ok =
      ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1 &&
      EVP_DigestUpdate(ctx, username.data(), username.size()) == 1 && EVP_DigestUpdate(ctx, ":", 1) == 1 &&
      EVP_DigestUpdate(ctx, realm.data(), realm.size()) == 1 && EVP_DigestUpdate(ctx, ":", 1) == 1 &&
      EVP_DigestUpdate(ctx, password.data(), password.size()) == 1 &&
      EVP_DigestFinal_ex(ctx, key.data(), &size) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) key.fill(0);  // an all-zero key verifies nothing a peer computed
  return key;
}

}  // namespace cascade::ice
