#include <doctest/doctest.h>

#include <string>

#include "topology/CidrTable.hpp"

using namespace cascade::topology;

TEST_CASE("CidrTable picks the longest matching prefix for IPv4 and IPv6") {
  CidrTable t;
  REQUIRE_FALSE(t.Add("10.0.0.0/8", 1));
  REQUIRE_FALSE(t.Add("10.1.0.0/16", 2));
  REQUIRE_FALSE(t.Add("10.1.2.3", 3));  // host route
  REQUIRE_FALSE(t.Add("2001:db8::/32", 4));
  REQUIRE_FALSE(t.Add("2001:db8:aa::/48", 5));
  REQUIRE_FALSE(t.Add("0.0.0.0/0", 6));
  CHECK(t.Size() == 6);
  struct Case {
    const char* address;
    std::optional<RegionId> region;
  };
  const Case cases[] = {
      {"10.9.9.9", 1},        {"10.1.9.9", 2},
      {"10.1.2.3", 3},        {"10.1.2.4", 2},
      {"2001:db8::1", 4},     {"2001:db8:aa:1::5", 5},
      {"192.0.2.1", 6},       {"2001:db9::1", std::nullopt},
      {"::ffff:10.1.2.3", 3}, {"not-an-ip", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) {
    CAPTURE(c.address);
    CHECK(t.Lookup(c.address) == c.region);
  }
  REQUIRE_FALSE(t.Add("10.0.0.0/8", 7));  // re-pointed, not duplicated
  CHECK(t.Lookup("10.9.9.9") == RegionId{7});
  CHECK(t.Size() == 6);
}

TEST_CASE("CidrTable rejects malformed blocks with the error kind") {
  CidrTable t;
  CHECK(t.Add("10.0.0.0/33", 0) == CidrError::kBadPrefixLength);
  CHECK(t.Add("10.0.0.0/", 0) == CidrError::kBadPrefixLength);
  CHECK(t.Add("10.0.0.0/8x", 0) == CidrError::kBadPrefixLength);
  CHECK(t.Add("2001:db8::/129", 0) == CidrError::kBadPrefixLength);
  CHECK(t.Add("10.0.0.1/8", 0) == CidrError::kHostBitsSet);
  CHECK(t.Add("300.0.0.0/8", 0) == CidrError::kBadAddress);
  CHECK(t.Add("/8", 0) == CidrError::kBadAddress);
  CHECK(t.Size() == 0);
  CHECK(std::string(ToString(CidrError::kHostBitsSet)) == "host-bits-set");
}
