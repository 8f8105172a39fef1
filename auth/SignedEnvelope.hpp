#pragma once
// The wire form shared by bearer tokens and placement grants: base64url(JSON claims) "."
// base64url(HMAC-SHA256 over the first part). One key per purpose (see Token and
// PlacementGrant), so one kind of credential never verifies as the other.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/base/Result.hpp"

namespace cascade::auth {

enum class EnvelopeError : uint8_t { kMalformed, kBadSignature, kCount };

class SignedEnvelope {
 public:
  static constexpr size_t kMaxSize = 4096;

  explicit SignedEnvelope(std::string key) : key_(std::move(key)) {}

  std::string Seal(const nlohmann::json& claims) const;
  // The claims object of an envelope this key signed; the MAC is checked before parsing.
  base::Result<nlohmann::json, EnvelopeError> Open(std::string_view envelope) const;

  // HMAC-SHA256 of `data` under `key`, raw bytes: used to derive one key per purpose.
  static std::string Hmac(std::string_view key, std::string_view data);

 private:
  std::string Sign(std::string_view payload) const;
  std::string key_;
};

}  // namespace cascade::auth
