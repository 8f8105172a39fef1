#pragma once
// A placement grant: what control puts in the 307's Location (`?grant=`) so that the edge
// it chose accepts the repeated POST without the bearer token, which browsers drop on a
// cross-origin redirect (Fetch standard, "HTTP-redirect fetch"; RFC 9725 §4.5 and §4.7).
// Short-lived and bound to the room, the role, the chosen edge and the token it was issued
// for, so a grant is useless for another room, role or edge, and after it expires. Signed
// with a key derived from auth.secret, so a grant is never accepted as a token or back.
//
//   GrantAuthority grants(secret);
//   std::string g = grants.Issue({"demo", TokenRole::kWatch, "edge-2", "tok-17", now + 30});
//   auto claims = grants.Verify(g, "demo", TokenRole::kWatch, "edge-2", now);  // ok
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/SignedEnvelope.hpp"
#include "auth/Token.hpp"
#include "core/base/Result.hpp"

namespace cascade::auth {

struct GrantClaims {
  std::string room;
  TokenRole role = TokenRole::kWatch;
  std::string edge_id;   // node.id of the edge that may accept it
  std::string token_id;  // the id of the bearer token control checked
  uint64_t expires_at_s = 0;
};

enum class GrantError : uint8_t {
  kMalformed,
  kBadSignature,
  kExpired,
  kWrongRoom,
  kWrongRole,
  kWrongEdge,
  kCount
};
const char* ToString(GrantError error);

class GrantAuthority {
 public:
  // The same secret as the TokenAuthority's (at least 16 bytes; throws std::invalid_argument).
  explicit GrantAuthority(const std::string& secret);

  std::string Issue(const GrantClaims& claims) const;
  // The claims if the grant is ours, unexpired and for exactly this room, role and edge.
  base::Result<GrantClaims, GrantError> Verify(std::string_view grant, const std::string& room,
                                               TokenRole role, const std::string& edge_id,
                                               uint64_t now_s) const;

 private:
  SignedEnvelope envelope_;
};

}  // namespace cascade::auth
