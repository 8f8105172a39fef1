#include <doctest/doctest.h>

#include <netinet/in.h>

#include <array>

#include "core/ice/TransportAddress.hpp"

using cascade::ice::TransportAddress;

TEST_CASE("TransportAddress parses and prints IPv4 and IPv6") {
  struct Case {
    const char* text;
    TransportAddress::Family family;
    uint16_t port;
  };
  const Case cases[] = {
      {"192.0.2.1:32853", TransportAddress::Family::kIpv4, 32853},
      {"[2001:db8:1234:5678:11:2233:4455:6677]:32853", TransportAddress::Family::kIpv6, 32853},
      {"[::1]:0", TransportAddress::Family::kIpv6, 0},
      {"0.0.0.0:65535", TransportAddress::Family::kIpv4, 65535},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto a = TransportAddress::Parse(c.text);
    REQUIRE(a.has_value());
    CHECK(a->family() == c.family);
    CHECK(a->port() == c.port);
    CHECK(a->ToString() == c.text);
  }
}

TEST_CASE("TransportAddress rejects malformed text") {
  for (const char* bad : {"", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3:80", "[::1:80", "[::1]80",
                          "::1:80", "host:80", "1.2.3.4:8x"}) {
    CAPTURE(bad);
    CHECK_FALSE(TransportAddress::Parse(bad).has_value());
  }
}

TEST_CASE("TransportAddress round-trips through sockaddr_storage") {
  for (const char* text : {"198.51.100.7:3478", "[2001:db8::42]:443"}) {
    CAPTURE(text);
    const auto a = TransportAddress::Parse(text).value();
    sockaddr_storage ss{};
    const socklen_t len = a.ToSockaddr(ss);
    CHECK(len == (a.is_ipv4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6)));
    CHECK(ss.ss_family == (a.is_ipv4() ? AF_INET : AF_INET6));
    auto back = TransportAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
    REQUIRE(back.has_value());
    CHECK(*back == a);
  }
  sockaddr_storage unix_ss{};
  unix_ss.ss_family = AF_UNIX;
  CHECK_FALSE(TransportAddress::FromSockaddr(unix_ss).has_value());
  sockaddr_in short_in{};
  short_in.sin_family = AF_INET;
  CHECK_FALSE(TransportAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&short_in), 4).has_value());
  sockaddr_storage none_ss{};
  CHECK(TransportAddress().ToSockaddr(none_ss) == 0);
}

TEST_CASE("TransportAddress compares by family, bytes and port") {
  const auto a = TransportAddress::Ipv4(0xC0000201, 80);
  CHECK(a.ToString() == "192.0.2.1:80");
  CHECK(a == TransportAddress::Parse("192.0.2.1:80").value());
  CHECK(a != TransportAddress::Parse("192.0.2.1:81").value());
  CHECK(a != TransportAddress::Parse("[::ffff:192.0.2.1]:80").value());
  CHECK(a.bytes().size() == 4);
  CHECK(TransportAddress().bytes().empty());
}
