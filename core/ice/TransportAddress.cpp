#include "core/ice/TransportAddress.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace cascade::ice {

TransportAddress TransportAddress::Ipv4(std::span<const uint8_t, 4> octets, uint16_t port) {
  TransportAddress a;
  a.family_ = Family::kIpv4;
  a.port_ = port;
  std::memcpy(a.bytes_.data(), octets.data(), 4);
  return a;
}

TransportAddress TransportAddress::Ipv4(uint32_t host_order_address, uint16_t port) {
  const std::array<uint8_t, 4> octets{
      static_cast<uint8_t>(host_order_address >> 24), static_cast<uint8_t>(host_order_address >> 16),
      static_cast<uint8_t>(host_order_address >> 8), static_cast<uint8_t>(host_order_address)};
  return Ipv4(octets, port);
}

TransportAddress TransportAddress::Ipv6(std::span<const uint8_t, 16> octets, uint16_t port) {
  TransportAddress a;
  a.family_ = Family::kIpv6;
  a.port_ = port;
  std::memcpy(a.bytes_.data(), octets.data(), 16);
  return a;
}

std::optional<TransportAddress> TransportAddress::FromSockaddr(const sockaddr* sa, socklen_t len) {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in{};
    std::memcpy(&in, sa, sizeof(in));
    std::array<uint8_t, 4> octets{};
    std::memcpy(octets.data(), &in.sin_addr, 4);
    return Ipv4(octets, ntohs(in.sin_port));
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, sa, sizeof(in6));
    std::array<uint8_t, 16> octets{};
    std::memcpy(octets.data(), &in6.sin6_addr, 16);
    return Ipv6(octets, ntohs(in6.sin6_port));
  }
  return std::nullopt;
}

std::optional<TransportAddress> TransportAddress::Parse(std::string_view text) {
  std::string host;
  std::string_view port_text;
  bool v6 = false;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
    v6 = true;
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  uint16_t port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.empty())
    return std::nullopt;
  if (v6) {
    std::array<uint8_t, 16> octets{};
    if (inet_pton(AF_INET6, host.c_str(), octets.data()) != 1) return std::nullopt;
    return Ipv6(octets, port);
  }
  std::array<uint8_t, 4> octets{};
  if (inet_pton(AF_INET, host.c_str(), octets.data()) != 1) return std::nullopt;
  return Ipv4(octets, port);
}

std::span<const uint8_t> TransportAddress::bytes() const {
  switch (family_) {
    case Family::kIpv4: return std::span<const uint8_t>(bytes_.data(), 4);
    case Family::kIpv6: return std::span<const uint8_t>(bytes_.data(), 16);
    case Family::kNone: break;
  }
  return {};
}

socklen_t TransportAddress::ToSockaddr(sockaddr_storage& out) const {
  std::memset(&out, 0, sizeof(out));
  if (family_ == Family::kIpv4) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port_);
    std::memcpy(&in.sin_addr, bytes_.data(), 4);
    std::memcpy(&out, &in, sizeof(in));
    return sizeof(in);
  }
  if (family_ == Family::kIpv6) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port_);
    std::memcpy(&in6.sin6_addr, bytes_.data(), 16);
    std::memcpy(&out, &in6, sizeof(in6));
    return sizeof(in6);
  }
  return 0;
}

std::string TransportAddress::ToString() const {
  // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict, GCC bug 105329) on the
  // equivalent chain of operator+ with a string literal.
  char buf[INET6_ADDRSTRLEN] = {};
  std::string out;
  if (family_ == Family::kIpv4) {
    inet_ntop(AF_INET, bytes_.data(), buf, sizeof(buf));
    out.append(buf);
  } else if (family_ == Family::kIpv6) {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof(buf));
    out.push_back('[');
    out.append(buf);
    out.push_back(']');
  } else {
    return "none";
  }
  out.push_back(':');
  out.append(std::to_string(port_));
  return out;
}

}  // namespace cascade::ice
