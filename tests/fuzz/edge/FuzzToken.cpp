// Bearer tokens arrive in the Authorization header of any HTTP request, placement grants in
// the query of an offer POST: verification must reject every forged or malformed one cleanly,
// and accept only what the authority issued.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/PlacementGrant.hpp"
#include "auth/Token.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cascade::auth::TokenAuthority authority("fuzzing-secret-0123456789");
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto claims = authority.Verify(token, 1000);
  if (claims.ok()) {
    // Only a token signed with our secret verifies; re-issuing its claims must verify too.
    auto again = authority.Verify(authority.Issue(*claims), 1000);
    if (!again.ok() || again->room != claims->room || again->role != claims->role) __builtin_trap();
  }
  static const cascade::auth::GrantAuthority grants("fuzzing-secret-0123456789");
  auto grant = grants.Verify(token, "room", cascade::auth::TokenRole::kWatch, "edge-1", 1000);
  if (grant.ok() && (grant->room != "room" || grant->edge_id != "edge-1")) __builtin_trap();
  return 0;
}
