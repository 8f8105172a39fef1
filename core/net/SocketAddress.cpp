#include "core/net/SocketAddress.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace cascade::net {

std::optional<SocketAddress> SocketAddress::FromSockaddr(const sockaddr* sa) {
  SocketAddress out;
  if (sa->sa_family == AF_INET) {
    std::memcpy(&out.storage_, sa, sizeof(sockaddr_in));
  } else if (sa->sa_family == AF_INET6) {
    std::memcpy(&out.storage_, sa, sizeof(sockaddr_in6));
  } else {
    return std::nullopt;
  }
  return out;
}

std::optional<SocketAddress> SocketAddress::Parse(std::string_view ip, uint16_t port) {
  std::string text(ip);
  SocketAddress out;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage_);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return out;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage_);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return out;
  }
  return std::nullopt;
}

std::optional<SocketAddress> SocketAddress::ParseHostPort(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  uint16_t port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size()) return std::nullopt;
  return Parse(host, port);
}

socklen_t SocketAddress::length() const {
  return is_v4() ? sizeof(sockaddr_in) : family() == AF_INET6 ? sizeof(sockaddr_in6) : 0;
}

uint16_t SocketAddress::port() const {
  if (is_v4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void SocketAddress::set_port(uint16_t port) {
  if (is_v4()) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

std::string SocketAddress::ip() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof(buf));
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf, sizeof(buf));
  }
  return buf;
}

std::string SocketAddress::ToString() const {
  return is_v4() ? ip() + ":" + std::to_string(port()) : "[" + ip() + "]:" + std::to_string(port());
}

size_t SocketAddress::Hash() const {
  // FNV-1a over the address bytes and port: cheap, and the table it keys is small.
  size_t h = 1469598103934665603ull;
  auto mix = [&h](const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  if (is_v4()) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage_);
    mix(&v4->sin_addr, sizeof(v4->sin_addr));
    mix(&v4->sin_port, sizeof(v4->sin_port));
  } else if (family() == AF_INET6) {
    auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
    mix(&v6->sin6_addr, sizeof(v6->sin6_addr));
    mix(&v6->sin6_port, sizeof(v6->sin6_port));
  }
  return h;
}

bool SocketAddress::operator==(const SocketAddress& other) const {
  if (family() != other.family()) return false;
  if (is_v4()) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
    auto* b = reinterpret_cast<const sockaddr_in*>(&other.storage_);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (family() == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
    auto* b = reinterpret_cast<const sockaddr_in6*>(&other.storage_);
    return a->sin6_port == b->sin6_port && std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(in6_addr)) == 0;
  }
  return true;
}

}  // namespace cascade::net
