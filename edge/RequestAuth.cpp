#include "edge/RequestAuth.hpp"

#include "core/base/Clock.hpp"

namespace cascade::edge {
namespace {

uint64_t NowSeconds() { return base::WallClockUs() / 1'000'000; }

AuthRefusal RefusalOf(auth::TokenError error) {
  switch (error) {
    case auth::TokenError::kBadSignature: return AuthRefusal::kTokenBadSignature;
    case auth::TokenError::kExpired: return AuthRefusal::kTokenExpired;
    case auth::TokenError::kMalformed:
    case auth::TokenError::kCount: break;
  }
  return AuthRefusal::kTokenMalformed;
}

AuthRefusal RefusalOf(auth::GrantError error) {
  switch (error) {
    case auth::GrantError::kBadSignature: return AuthRefusal::kGrantBadSignature;
    case auth::GrantError::kExpired: return AuthRefusal::kGrantExpired;
    case auth::GrantError::kWrongRoom: return AuthRefusal::kGrantWrongRoom;
    case auth::GrantError::kWrongRole: return AuthRefusal::kGrantWrongRole;
    case auth::GrantError::kWrongEdge: return AuthRefusal::kGrantWrongEdge;
    case auth::GrantError::kMalformed:
    case auth::GrantError::kCount: break;
  }
  return AuthRefusal::kGrantMalformed;
}

}  // namespace

const char* ToString(AuthRefusal refusal) {
  switch (refusal) {
    case AuthRefusal::kMissingToken: return "missing_token";
    case AuthRefusal::kTokenMalformed: return "malformed";
    case AuthRefusal::kTokenBadSignature: return "bad_signature";
    case AuthRefusal::kTokenExpired: return "expired";
    case AuthRefusal::kWrongRoom: return "wrong_room";
    case AuthRefusal::kWrongRole: return "wrong_role";
    case AuthRefusal::kGrantMalformed: return "grant_malformed";
    case AuthRefusal::kGrantBadSignature: return "grant_bad_signature";
    case AuthRefusal::kGrantExpired: return "grant_expired";
    case AuthRefusal::kGrantWrongRoom: return "grant_wrong_room";
    case AuthRefusal::kGrantWrongRole: return "grant_wrong_role";
    case AuthRefusal::kGrantWrongEdge: return "grant_wrong_edge";
    case AuthRefusal::kNotResourceOwner: return "not_resource_owner";
    case AuthRefusal::kCount: break;
  }
  return "?";
}

RequestAuth::RequestAuth(const std::string& secret, std::string node_id)
    : tokens_(secret), grants_(secret), node_id_(std::move(node_id)) {}

void RequestAuth::Refuse(AuthRefusal reason, int status, const std::string& message) {
  ++refusals_[static_cast<size_t>(reason)];
  throw net::HttpError(status, message);
}

Credential RequestAuth::Authorize(const net::HttpRequest& request, const std::string& room,
                                  std::optional<auth::TokenRole> role, bool accept_grant) {
  std::string_view header = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.starts_with(kBearer)) {
    return AuthorizeToken(header.substr(kBearer.size()), room, role);
  }
  if (accept_grant && role) {
    std::string grant = request.QueryParam("grant");
    if (!grant.empty()) {
      return AuthorizeGrant(grant, room, *role);
    }
  }
  Refuse(AuthRefusal::kMissingToken, 401, "missing bearer token (Authorization: Bearer ...)");
}

void RequestAuth::RequireOwner(const Credential& credential, auth::TokenRole session_role,
                               const std::string& owner_token_id) {
  if (credential.role != session_role) {
    Refuse(AuthRefusal::kWrongRole, 403,
           std::string("this session was created with a ") + auth::ToString(session_role) + " token, not " +
               auth::ToString(credential.role));
  }
  if (!owner_token_id.empty() && credential.token_id != owner_token_id) {
    Refuse(AuthRefusal::kNotResourceOwner, 403,
           "only the token that created this session may change or end it");
  }
}

Credential RequestAuth::AuthorizeToken(std::string_view token, const std::string& room,
                                       std::optional<auth::TokenRole> role) {
  auto claims = tokens_.Verify(token, NowSeconds());
  if (!claims.ok()) {
    Refuse(RefusalOf(claims.error()), 401, std::string("token rejected: ") + auth::ToString(claims.error()));
  }
  if (claims->room != room) {
    Refuse(AuthRefusal::kWrongRoom, 403, "token is for room '" + claims->room + "', not '" + room + "'");
  }
  if (role && claims->role != *role) {
    Refuse(AuthRefusal::kWrongRole, 403,
           std::string("token allows ") + auth::ToString(claims->role) + ", not " + auth::ToString(*role));
  }
  ++accepted_by_token_;
  return {claims->role, claims->id};
}

Credential RequestAuth::AuthorizeGrant(std::string_view grant, const std::string& room,
                                       auth::TokenRole role) {
  auto claims = grants_.Verify(grant, room, role, node_id_, NowSeconds());
  if (!claims.ok()) {
    // 401 for every case: a grant is a credential for this edge, room and role or none at all.
    Refuse(RefusalOf(claims.error()), 401,
           std::string("placement grant rejected: ") + auth::ToString(claims.error()));
  }
  ++accepted_by_grant_;
  return {role, claims->token_id};
}

void RequestAuth::RegisterMetrics(base::MetricsRegistry& metrics) const {
  metrics.AddCallback("cascade_edge_auth_accepted_total", "WHIP/WHEP requests let in, by credential", true,
                      {{"by", "token"}}, [this] { return static_cast<double>(accepted_by_token_); });
  metrics.AddCallback("cascade_edge_auth_accepted_total", "WHIP/WHEP requests let in, by credential", true,
                      {{"by", "grant"}}, [this] { return static_cast<double>(accepted_by_grant_); });
  for (size_t i = 0; i < refusals_.size(); ++i) {
    metrics.AddCallback("cascade_edge_auth_refusals_total",
                        "WHIP/WHEP requests refused by the token or grant check", true,
                        {{"reason", ToString(static_cast<AuthRefusal>(i))}},
                        [this, i] { return static_cast<double>(refusals_[i]); });
  }
}

}  // namespace cascade::edge
