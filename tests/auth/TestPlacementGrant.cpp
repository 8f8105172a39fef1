#include <doctest/doctest.h>

#include <stdexcept>

#include "auth/PlacementGrant.hpp"
#include "auth/Token.hpp"

using namespace cascade::auth;

namespace {

constexpr const char* kSecret = "0123456789abcdef-secret";
const GrantClaims kClaims{"town-hall", TokenRole::kWatch, "edge-eu", "tok-7", 1030};

}  // namespace

TEST_CASE("A placement grant verifies for its room, role and edge until it expires") {
  GrantAuthority grants(kSecret);
  auto claims = grants.Verify(grants.Issue(kClaims), "town-hall", TokenRole::kWatch, "edge-eu", 1000);
  REQUIRE(claims.ok());
  CHECK(claims->token_id == "tok-7");
  CHECK(claims->expires_at_s == 1030);
  auto expired = grants.Verify(grants.Issue(kClaims), "town-hall", TokenRole::kWatch, "edge-eu", 1030);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error() == GrantError::kExpired);
}

TEST_CASE("A placement grant is refused for another room, role or edge") {
  GrantAuthority grants(kSecret);
  const std::string grant = grants.Issue(kClaims);
  CHECK(grants.Verify(grant, "other-room", TokenRole::kWatch, "edge-eu", 1000).error() ==
        GrantError::kWrongRoom);
  CHECK(grants.Verify(grant, "town-hall", TokenRole::kPublish, "edge-eu", 1000).error() ==
        GrantError::kWrongRole);
  CHECK(grants.Verify(grant, "town-hall", TokenRole::kWatch, "edge-us", 1000).error() ==
        GrantError::kWrongEdge);
}

TEST_CASE("Forged grants and tokens passed as grants are refused") {
  GrantAuthority grants(kSecret);
  GrantAuthority other("another-secret-of-16+");
  CHECK(other.Verify(grants.Issue(kClaims), "town-hall", TokenRole::kWatch, "edge-eu", 1000).error() ==
        GrantError::kBadSignature);
  // A payload naming another edge under the original MAC.
  const std::string good = grants.Issue(kClaims);
  GrantClaims moved = kClaims;
  moved.edge_id = "edge-us";
  const std::string rebound = other.Issue(moved);
  const std::string forged = rebound.substr(0, rebound.find('.')) + good.substr(good.find('.'));
  CHECK(grants.Verify(forged, "town-hall", TokenRole::kWatch, "edge-us", 1000).error() ==
        GrantError::kBadSignature);
  // Same secret, other purpose: a bearer token is not a grant, nor a grant a token.
  TokenAuthority tokens(kSecret);
  const std::string token = tokens.Issue({"town-hall", TokenRole::kWatch, 5000, "tok-7"});
  CHECK(grants.Verify(token, "town-hall", TokenRole::kWatch, "edge-eu", 1000).error() ==
        GrantError::kBadSignature);
  CHECK(tokens.Verify(good, 1000).error() == TokenError::kBadSignature);
  CHECK(grants.Verify("", "town-hall", TokenRole::kWatch, "edge-eu", 1000).error() == GrantError::kMalformed);
  CHECK(grants.Verify(std::string(5000, 'g') + ".x", "r", TokenRole::kWatch, "e", 1).error() ==
        GrantError::kMalformed);
  CHECK_THROWS_AS(GrantAuthority("short"), std::invalid_argument);
}
