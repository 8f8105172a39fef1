#pragma once
// Who may use the edge's WHIP/WHEP resources: a bearer token (Authorization header) for the
// room and role, or, for the offer POST only, a placement grant (`?grant=`) that control
// issued for this edge after checking the token itself (browsers drop Authorization when
// they follow control's cross-origin 307). When both come, the token decides, as before.
// Every refusal is counted by reason: cascade_edge_auth_refusals_total{reason}, and what let
// a request in by credential: cascade_edge_auth_accepted_total{by="token|grant"}.
#include <array>
#include <optional>
#include <string>

#include "auth/PlacementGrant.hpp"
#include "auth/Token.hpp"
#include "core/base/Metrics.hpp"
#include "core/net/HttpMessage.hpp"

namespace cascade::edge {

enum class AuthRefusal : uint8_t {
  kMissingToken,
  kTokenMalformed,
  kTokenBadSignature,
  kTokenExpired,
  kWrongRoom,
  kWrongRole,
  kGrantMalformed,
  kGrantBadSignature,
  kGrantExpired,
  kGrantWrongRoom,
  kGrantWrongRole,
  kGrantWrongEdge,
  kNotResourceOwner,
  kCount
};
const char* ToString(AuthRefusal refusal);

// What let a request in: the token's (or, for a grant, the checked token's) role and id.
struct Credential {
  auth::TokenRole role = auth::TokenRole::kWatch;
  std::string token_id;  // empty when the token carries none
};

class RequestAuth {
 public:
  RequestAuth(const std::string& secret, std::string node_id);

  // Throws net::HttpError 401 (missing, bad or expired credential) or 403 (a valid token for
  // another room or role). `role` nullopt: any role of the room (DELETE). `accept_grant`:
  // the offer POST, where a grant may stand in for the token.
  Credential Authorize(const net::HttpRequest& request, const std::string& room,
                       std::optional<auth::TokenRole> role, bool accept_grant);
  // A session's resource (PATCH, DELETE, its layer preference) belongs to whoever created
  // it: 403 unless `credential` has the session's role and, where the creating token had an
  // id, that same id (a watch token must not end the publisher's session).
  void RequireOwner(const Credential& credential, auth::TokenRole session_role,
                    const std::string& owner_token_id);
  const auth::TokenAuthority& tokens() const { return tokens_; }
  uint64_t refusals(AuthRefusal reason) const { return refusals_[static_cast<size_t>(reason)]; }
  uint64_t accepted_by_token() const { return accepted_by_token_; }
  uint64_t accepted_by_grant() const { return accepted_by_grant_; }
  void RegisterMetrics(base::MetricsRegistry& metrics) const;

 private:
  [[noreturn]] void Refuse(AuthRefusal reason, int status, const std::string& message);
  Credential AuthorizeToken(std::string_view token, const std::string& room,
                            std::optional<auth::TokenRole> role);
  Credential AuthorizeGrant(std::string_view grant, const std::string& room, auth::TokenRole role);

  auth::TokenAuthority tokens_;
  auth::GrantAuthority grants_;
  std::string node_id_;
  std::array<uint64_t, static_cast<size_t>(AuthRefusal::kCount)> refusals_{};
  uint64_t accepted_by_token_ = 0;
  uint64_t accepted_by_grant_ = 0;
};

}  // namespace cascade::edge
