#pragma once
// Bearer tokens for WHIP/WHEP: base64url(JSON claims) "." base64url(HMAC-SHA256 over the
// first part). The control plane and every edge share the secret, so an edge checks a token
// without asking anyone. Claims: room, role (publish|watch), expiry (unix seconds), id.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/Result.hpp"

namespace cascade::edge {

// Used when no auth.secret is configured: fine on loopback, never in production.
inline constexpr const char* kLocalDevelopmentSecret = "cascade-local-development-secret";

enum class TokenRole : uint8_t { kPublish, kWatch };
const char* ToString(TokenRole role);

struct TokenClaims {
  std::string room;
  TokenRole role = TokenRole::kWatch;
  uint64_t expires_at_s = 0;
  std::string id;
};

enum class TokenError : uint8_t { kMalformed, kBadSignature, kExpired, kCount };
const char* ToString(TokenError error);

class TokenAuthority {
 public:
  // The secret must be at least 16 bytes; throws std::invalid_argument otherwise.
  explicit TokenAuthority(std::string secret);

  std::string Issue(const TokenClaims& claims) const;
  base::Result<TokenClaims, TokenError> Verify(std::string_view token, uint64_t now_s) const;

 private:
  std::string Sign(std::string_view payload) const;
  std::string secret_;
};

}  // namespace cascade::edge
