#include <doctest/doctest.h>

#include "core/sdp/Candidate.hpp"

using namespace cascade::sdp;

TEST_CASE("Candidate parses the full RFC 8839 grammar and formats it back") {
  struct Case {
    const char* text;
    const char* formatted;  // nullptr: same as text
  };
  Case cases[] = {
      {"1 1 UDP 2122252543 192.168.1.2 54321 typ host", nullptr},
      {"a+/B 2 tcp 1 ::1 9 typ host tcptype active generation 0", nullptr},
      {"4 1 TCP 1684013055 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998 tcptype passive generation 5",
       nullptr},
      {"7 1 udp 41885439 203.0.113.9 3478 typ relay generation 0 raddr 0.0.0.0 rport 0 ufrag x network-id 3",
       "7 1 udp 41885439 203.0.113.9 3478 typ relay raddr 0.0.0.0 rport 0 generation 0 ufrag x network-id 3"},
      {"842163049 1 udp 1677729535 abcd-ef.local 59024 typ host", nullptr},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto parsed = ParseCandidate(c.text);
    REQUIRE(parsed.ok());
    CHECK(FormatCandidate(*parsed) == (c.formatted ? c.formatted : c.text));
    auto again = ParseCandidate(FormatCandidate(*parsed));
    REQUIRE(again.ok());
    CHECK(*again == *parsed);
  }
  auto relay = ParseCandidate(cases[3].text);
  CHECK(relay->type == "relay");
  CHECK(relay->related_port == 0);
  CHECK(*relay->Extension("network-id") == "3");
  CHECK(relay->Extension("missing") == nullptr);
}

TEST_CASE("Candidate rejects malformed fields with a message") {
  const char* bad[] = {
      "",
      "1 1 udp 1 1.2.3.4 5 typ",
      "123456789012345678901234567890123 1 udp 1 a 5 typ host",  // foundation > 32
      "f:o 1 udp 1 a 5 typ host",
      "1 257 udp 1 a 5 typ host",
      "1 1 udp -1 a 5 typ host",
      "1 1 udp 1 a 5 typ host raddr",
      "1 1 udp 1 a 5 typ host rport 70000",
      "1 1 udp 1 a 5 typ host raddr a raddr b",
  };
  for (const char* text : bad) {
    CAPTURE(text);
    auto parsed = ParseCandidate(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().find("a=candidate") == 0);
  }
}
