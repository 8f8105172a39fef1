#pragma once
// An ICE candidate as carried in a=candidate (RFC 8839 §5.1), also usable on its own for
// trickled candidates (WHIP/WHEP PATCH bodies carry the same attribute).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/Result.hpp"

namespace cascade::sdp {

struct Candidate {
  std::string foundation;  // 1*32 ice-char
  uint16_t component = 1;  // 1..256
  std::string transport;   // UDP, TCP (kept as sent; compare case-insensitively)
  uint32_t priority = 0;
  std::string address;  // IP address or FQDN (mDNS .local)
  uint16_t port = 0;
  std::string type;                            // host, srflx, prflx, relay
  std::optional<std::string> related_address;  // raddr
  std::optional<uint16_t> related_port;        // rport
  std::string tcp_type;                        // RFC 6544 tcptype: active/passive/so, empty if absent
  // Every other `name value` extension pair in order (generation, network-id, ufrag...).
  std::vector<std::pair<std::string, std::string>> extensions;

  // The value of an extension, e.g. Extension("generation"); nullptr when absent.
  const std::string* Extension(std::string_view name) const;
  bool operator==(const Candidate&) const = default;
};

// Parses the value after "candidate:"; on failure returns a message naming the bad field.
base::Result<Candidate, std::string> ParseCandidate(std::string_view value);
// The value after "candidate:" (no "a=" prefix, no line ending).
std::string FormatCandidate(const Candidate& candidate);

}  // namespace cascade::sdp
