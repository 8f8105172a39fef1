#include "auth/Token.hpp"

#include <stdexcept>

namespace cascade::auth {
namespace {

const std::string& CheckedSecret(const std::string& secret) {
  if (secret.size() < 16) throw std::invalid_argument("token secret must be at least 16 bytes");
  return secret;
}

}  // namespace

const char* ToString(TokenRole role) { return role == TokenRole::kPublish ? "publish" : "watch"; }

const char* ToString(TokenError error) {
  switch (error) {
    case TokenError::kMalformed: return "malformed";
    case TokenError::kBadSignature: return "bad_signature";
    case TokenError::kExpired: return "expired";
    case TokenError::kCount: break;
  }
  return "?";
}

// Tokens are signed with the secret itself, so tokens issued before grants existed still verify.
TokenAuthority::TokenAuthority(const std::string& secret) : envelope_(CheckedSecret(secret)) {}

std::string TokenAuthority::Issue(const TokenClaims& claims) const {
  nlohmann::json body{{"room", claims.room},
                      {"role", ToString(claims.role)},
                      {"exp", claims.expires_at_s},
                      {"id", claims.id}};
  if (!claims.region.empty()) body["region"] = claims.region;
  return envelope_.Seal(body);
}

base::Result<TokenClaims, TokenError> TokenAuthority::Verify(std::string_view token, uint64_t now_s) const {
  auto opened = envelope_.Open(token);
  if (!opened.ok()) {
    return base::Fail(opened.error() == EnvelopeError::kBadSignature ? TokenError::kBadSignature
                                                                     : TokenError::kMalformed);
  }
  const nlohmann::json& body = *opened;
  if (!body.contains("room") || !body["room"].is_string() || !body.contains("role") ||
      !body["role"].is_string() || !body.contains("exp") || !body["exp"].is_number_unsigned()) {
    return base::Fail(TokenError::kMalformed);
  }
  TokenClaims claims;
  claims.room = body["room"].get<std::string>();
  std::string role = body["role"].get<std::string>();
  if (role == "publish") {
    claims.role = TokenRole::kPublish;
  } else if (role == "watch") {
    claims.role = TokenRole::kWatch;
  } else {
    return base::Fail(TokenError::kMalformed);
  }
  claims.expires_at_s = body["exp"].get<uint64_t>();
  if (body.contains("id") && body["id"].is_string()) claims.id = body["id"].get<std::string>();
  if (body.contains("region") && body["region"].is_string())
    claims.region = body["region"].get<std::string>();
  if (claims.expires_at_s <= now_s) return base::Fail(TokenError::kExpired);
  return claims;
}

}  // namespace cascade::auth
