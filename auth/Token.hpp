#pragma once
// Bearer tokens for WHIP/WHEP (RFC 9725 §4.7), a SignedEnvelope under auth.secret. Control
// and every edge share the secret, so either checks a token without asking anyone.
// Claims: room, role (publish|watch), expiry (unix seconds), id, and an optional region
// hint (the application's idea of where the client is; control places by it first).
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/SignedEnvelope.hpp"
#include "core/base/Result.hpp"

namespace cascade::auth {

// Used when no auth.secret is configured: fine on loopback, never in production.
inline constexpr const char* kLocalDevelopmentSecret = "cascade-local-development-secret";

enum class TokenRole : uint8_t { kPublish, kWatch };
const char* ToString(TokenRole role);

struct TokenClaims {
  std::string room;
  TokenRole role = TokenRole::kWatch;
  uint64_t expires_at_s = 0;
  std::string id;
  std::string region;  // empty: no hint
};

enum class TokenError : uint8_t { kMalformed, kBadSignature, kExpired, kCount };
const char* ToString(TokenError error);

class TokenAuthority {
 public:
  // The secret must be at least 16 bytes; throws std::invalid_argument otherwise.
  explicit TokenAuthority(const std::string& secret);

  std::string Issue(const TokenClaims& claims) const;
  base::Result<TokenClaims, TokenError> Verify(std::string_view token, uint64_t now_s) const;

 private:
  SignedEnvelope envelope_;
};

}  // namespace cascade::auth
