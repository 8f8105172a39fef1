#pragma once
// The STUN/TURN servers an edge advertises to WHIP/WHEP clients: one `Link` header per
// server on every 201 (RFC 9725 §4.6), so a client behind a restrictive NAT can find a path
// without configuring anything itself.
//
// From configuration: `ice.servers` (comma-separated stun:, stuns:, turn: or turns: URLs,
// RFC 7064/7065) and, for TURN, `ice.username` and `ice.credential`. Every URL is checked at
// start-up: a typo stops the process with an error naming the key instead of quietly
// handing clients a server that does not exist.
#include <string>
#include <string_view>
#include <vector>

#include "core/base/Config.hpp"

namespace cascade::edge {

struct IceServer {
  std::string url;  // e.g. "turn:turn.example.net:3478?transport=udp"
  bool turn = false;
};

struct IceServerOptions {
  std::vector<IceServer> servers;
  std::string username;    // TURN only
  std::string credential;  // TURN only

  // Throws base::ConfigError naming the key on a malformed URL or missing TURN credentials.
  static IceServerOptions FromConfig(const base::Config& config);
  // The value of one Link header per server, in configured order:
  //   <stun:stun.example.net>; rel="ice-server"
  //   <turn:turn.example.net?transport=udp>; rel="ice-server"; username="u";
  //       credential="p"; credential-type="password"
  std::vector<std::string> LinkHeaders() const;
};

// Checks one stun:/stuns:/turn:/turns: URL (RFC 7064 §3.1, RFC 7065 §3.1): scheme, host (name,
// IPv4 or [IPv6]), optional port 1-65535, and for TURN an optional ?transport=udp|tcp.
// Returns an empty string when valid, otherwise what is wrong.
std::string CheckIceServerUrl(std::string_view url);

}  // namespace cascade::edge
