#include "auth/PlacementGrant.hpp"

#include <stdexcept>

namespace cascade::auth {
namespace {

std::string GrantKey(const std::string& secret) {
  if (secret.size() < 16) throw std::invalid_argument("grant secret must be at least 16 bytes");
  return SignedEnvelope::Hmac(secret, "cascade placement grant v1");
}

}  // namespace

const char* ToString(GrantError error) {
  switch (error) {
    case GrantError::kMalformed: return "grant_malformed";
    case GrantError::kBadSignature: return "grant_bad_signature";
    case GrantError::kExpired: return "grant_expired";
    case GrantError::kWrongRoom: return "grant_wrong_room";
    case GrantError::kWrongRole: return "grant_wrong_role";
    case GrantError::kWrongEdge: return "grant_wrong_edge";
    case GrantError::kCount: break;
  }
  return "?";
}

GrantAuthority::GrantAuthority(const std::string& secret) : envelope_(GrantKey(secret)) {}

std::string GrantAuthority::Issue(const GrantClaims& claims) const {
  return envelope_.Seal({{"room", claims.room},
                         {"role", ToString(claims.role)},
                         {"edge", claims.edge_id},
                         {"tid", claims.token_id},
                         {"exp", claims.expires_at_s}});
}

base::Result<GrantClaims, GrantError> GrantAuthority::Verify(std::string_view grant, const std::string& room,
                                                             TokenRole role, const std::string& edge_id,
                                                             uint64_t now_s) const {
  auto opened = envelope_.Open(grant);
  if (!opened.ok()) {
    return base::Fail(opened.error() == EnvelopeError::kBadSignature ? GrantError::kBadSignature
                                                                     : GrantError::kMalformed);
  }
  const nlohmann::json& body = *opened;
  for (const char* key : {"room", "role", "edge", "tid"}) {
    if (!body.contains(key) || !body[key].is_string()) return base::Fail(GrantError::kMalformed);
  }
  if (!body.contains("exp") || !body["exp"].is_number_unsigned()) return base::Fail(GrantError::kMalformed);
  GrantClaims claims;
  claims.room = body["room"].get<std::string>();
  const std::string role_name = body["role"].get<std::string>();
  if (role_name != "publish" && role_name != "watch") return base::Fail(GrantError::kMalformed);
  claims.role = role_name == "publish" ? TokenRole::kPublish : TokenRole::kWatch;
  claims.edge_id = body["edge"].get<std::string>();
  claims.token_id = body["tid"].get<std::string>();
  claims.expires_at_s = body["exp"].get<uint64_t>();
  if (claims.expires_at_s <= now_s) return base::Fail(GrantError::kExpired);
  if (claims.room != room) return base::Fail(GrantError::kWrongRoom);
  if (claims.role != role) return base::Fail(GrantError::kWrongRole);
  if (claims.edge_id != edge_id) return base::Fail(GrantError::kWrongEdge);
  return claims;
}

}  // namespace cascade::auth
