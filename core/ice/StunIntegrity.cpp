#include "core/ice/StunIntegrity.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>

namespace cascade::ice {

namespace {

// One HMAC context per algorithm with the digest set once. EVP_MAC_init with a new key copies
// the key and re-derives the pads, so the last key is remembered and a repeated key (the same
// ICE password for every check of a session) re-initialises with key == nullptr instead.
class HmacContext {
 public:
  explicit HmacContext(const char* digest) {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac_ != nullptr) ctx_ = EVP_MAC_CTX_new(mac_);
    if (ctx_ != nullptr) {
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
          OSSL_PARAM_construct_end()};
      if (EVP_MAC_CTX_set_params(ctx_, params) != 1) {
        EVP_MAC_CTX_free(ctx_);
        ctx_ = nullptr;
      }
    }
  }
  ~HmacContext() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  HmacContext(const HmacContext&) = delete;
  HmacContext& operator=(const HmacContext&) = delete;

  bool Compute(std::span<const uint8_t> key, std::span<const uint8_t> prefix, uint16_t length_field,
               std::span<uint8_t> out) {
    if (ctx_ == nullptr || prefix.size() < 4) return false;
    if (!Init(key)) return false;
    const uint8_t length_be[2] = {static_cast<uint8_t>(length_field >> 8),
                                  static_cast<uint8_t>(length_field)};
    size_t written = 0;
    if (EVP_MAC_update(ctx_, prefix.data(), 2) != 1 || EVP_MAC_update(ctx_, length_be, 2) != 1 ||
        EVP_MAC_update(ctx_, prefix.data() + 4, prefix.size() - 4) != 1 ||
        EVP_MAC_final(ctx_, out.data(), &written, out.size()) != 1) {
      has_key_ = false;
      return false;
    }
    return true;
  }

 private:
  static constexpr size_t kMaxCachedKey = 128;

  bool Init(std::span<const uint8_t> key) {
    if (has_key_ && key.size() == cached_size_ && std::memcmp(key.data(), cached_.data(), key.size()) == 0) {
      if (EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1) return true;
    }
    // A non-null pointer even for an empty key: nullptr would mean "keep the previous key".
    static const uint8_t kEmpty = 0;
    const uint8_t* key_data = key.empty() ? &kEmpty : key.data();
    has_key_ = false;
    if (EVP_MAC_init(ctx_, key_data, key.size(), nullptr) != 1) return false;
    if (key.size() <= kMaxCachedKey) {
      std::memcpy(cached_.data(), key.data(), key.size());
      cached_size_ = key.size();
      has_key_ = true;
    }
    return true;
  }

  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
  bool has_key_ = false;
  size_t cached_size_ = 0;
  std::array<uint8_t, kMaxCachedKey> cached_{};
};

HmacContext& ContextFor(StunIntegrity::Algorithm algorithm) {
  thread_local HmacContext sha1("SHA1");
  thread_local HmacContext sha256("SHA256");
  return algorithm == StunIntegrity::Algorithm::kHmacSha1 ? sha1 : sha256;
}

}  // namespace

bool StunIntegrity::Compute(Algorithm algorithm, std::span<const uint8_t> key,
                            std::span<const uint8_t> prefix, uint16_t length_field,
                            std::span<uint8_t, kSha256Size> out) {
  const size_t size = algorithm == Algorithm::kHmacSha1 ? kSha1Size : kSha256Size;
  return ContextFor(algorithm).Compute(key, prefix, length_field, out.first(size));
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
