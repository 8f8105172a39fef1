#pragma once
// An IPv4 or IPv6 address and port, stored as a sockaddr so it can be handed to the kernel
// without conversion, and comparable/hashable so it can key a 5-tuple table.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cascade::net {

class SocketAddress {
 public:
  SocketAddress() = default;
  // From a kernel-provided address; only AF_INET and AF_INET6 are kept.
  static std::optional<SocketAddress> FromSockaddr(const sockaddr* sa);
  // "127.0.0.1", "::1" and a port; nullopt on a malformed address.
  static std::optional<SocketAddress> Parse(std::string_view ip, uint16_t port);
  // "127.0.0.1:5000" or "[::1]:5000".
  static std::optional<SocketAddress> ParseHostPort(std::string_view text);

  const sockaddr* raw() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const;
  int family() const { return storage_.ss_family; }
  bool is_v4() const { return family() == AF_INET; }
  uint16_t port() const;
  void set_port(uint16_t port);
  std::string ip() const;
  std::string ToString() const;
  size_t Hash() const;

  bool operator==(const SocketAddress& other) const;

 private:
  sockaddr_storage storage_{};
};

struct SocketAddressHash {
  size_t operator()(const SocketAddress& a) const { return a.Hash(); }
};

}  // namespace cascade::net
