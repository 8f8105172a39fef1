#pragma once
// An IPv4 or IPv6 address with a UDP/TCP port (RFC 8445 §3 "transport address"): a small value
// type that converts to and from sockaddr_storage, so ICE code never touches sockaddr casts.
#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cascade::ice {

class TransportAddress {
 public:
  enum class Family : uint8_t { kNone, kIpv4, kIpv6 };

  TransportAddress() = default;
  // `octets` in network order (192.0.2.1 is {192, 0, 2, 1}).
  static TransportAddress Ipv4(std::span<const uint8_t, 4> octets, uint16_t port);
  static TransportAddress Ipv4(uint32_t host_order_address, uint16_t port);
  static TransportAddress Ipv6(std::span<const uint8_t, 16> octets, uint16_t port);
  // AF_INET / AF_INET6 only; anything else (or a too-short length) gives nullopt.
  static std::optional<TransportAddress> FromSockaddr(const sockaddr* sa, socklen_t len);
  static std::optional<TransportAddress> FromSockaddr(const sockaddr_storage& ss) {
    return FromSockaddr(reinterpret_cast<const sockaddr*>(&ss), sizeof(ss));
  }
  // "192.0.2.1:3478" or "[2001:db8::1]:3478" (the form ToString() writes).
  static std::optional<TransportAddress> Parse(std::string_view text);

  Family family() const { return family_; }
  bool is_ipv4() const { return family_ == Family::kIpv4; }
  bool is_ipv6() const { return family_ == Family::kIpv6; }
  uint16_t port() const { return port_; }
  void set_port(uint16_t port) { port_ = port; }
  // 4 or 16 bytes in network order; empty for kNone.
  std::span<const uint8_t> bytes() const;

  // Fills `out` and returns the length to pass to sendto/bind (0 for kNone).
  socklen_t ToSockaddr(sockaddr_storage& out) const;
  std::string ToString() const;

  friend bool operator==(const TransportAddress&, const TransportAddress&) = default;
  friend auto operator<=>(const TransportAddress&, const TransportAddress&) = default;

 private:
  Family family_ = Family::kNone;
  uint16_t port_ = 0;
  std::array<uint8_t, 16> bytes_{};  // IPv4 uses the first 4; the rest stay zero so == works
};

}  // namespace cascade::ice
