#include <doctest/doctest.h>

#include <stdexcept>

#include "auth/Token.hpp"

using namespace cascade::auth;

TEST_CASE("Tokens carry their claims and verify until they expire") {
  TokenAuthority authority("0123456789abcdef-secret");
  std::string token = authority.Issue({"town-hall", TokenRole::kPublish, 2000, "alice"});
  auto claims = authority.Verify(token, 1000);
  REQUIRE(claims.ok());
  CHECK(claims->room == "town-hall");
  CHECK(claims->role == TokenRole::kPublish);
  CHECK(claims->id == "alice");
  auto expired = authority.Verify(token, 2000);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error() == TokenError::kExpired);
}

TEST_CASE("Forged, re-signed and malformed tokens are rejected") {
  TokenAuthority authority("0123456789abcdef-secret");
  TokenAuthority other("another-secret-of-16+");
  std::string token = authority.Issue({"room", TokenRole::kWatch, 5000, "v"});
  CHECK(other.Verify(token, 1).error() == TokenError::kBadSignature);
  // Swap the payload for one claiming publish rights, keeping the old signature.
  std::string forged_payload = other.Issue({"room", TokenRole::kPublish, 5000, "v"});
  std::string forged = forged_payload.substr(0, forged_payload.find('.')) + token.substr(token.find('.'));
  CHECK(authority.Verify(forged, 1).error() == TokenError::kBadSignature);
  CHECK(authority.Verify("", 1).error() == TokenError::kMalformed);
  CHECK(authority.Verify("no-dot-at-all", 1).error() == TokenError::kMalformed);
  CHECK(authority.Verify(std::string(5000, 'a') + ".x", 1).error() == TokenError::kMalformed);
  CHECK_THROWS_AS(TokenAuthority("short"), std::invalid_argument);
}

TEST_CASE("A token's region hint survives the round trip and is optional") {
  TokenAuthority authority("0123456789abcdef-secret");
  auto hinted = authority.Verify(authority.Issue({"r", TokenRole::kWatch, 50, "v", "us-east1"}), 1);
  REQUIRE(hinted.ok());
  CHECK(hinted->region == "us-east1");
  auto plain = authority.Verify(authority.Issue({"r", TokenRole::kWatch, 50, "v"}), 1);
  REQUIRE(plain.ok());
  CHECK(plain->region.empty());
}
