#include "edge/IceServers.hpp"

#include <cctype>
#include <charconv>
#include <optional>

namespace cascade::edge {
namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// Link header parameters are quoted strings (RFC 8288 §3): a quote, backslash or control
// character would break the header, so such credentials are refused at start-up.
bool IsQuotable(std::string_view text) {
  for (char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::string CheckIceServerUrl(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos) return "expected stun:, stuns:, turn: or turns:";
  std::string_view scheme = url.substr(0, colon);
  bool turn = scheme == "turn" || scheme == "turns";
  if (!turn && scheme != "stun" && scheme != "stuns") {
    return "unknown scheme '" + std::string(scheme) + "' (expected stun, stuns, turn or turns)";
  }
  std::string_view rest = url.substr(colon + 1);
  if (rest.starts_with("//")) return "no '//' after the scheme (RFC 7064: stun:host:port)";
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view host = rest;
  std::optional<std::string_view> port;
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return "unterminated [IPv6] host";
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "unexpected text after the [IPv6] host";
      port = after.substr(1);
    }
    for (char c : host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return "bad IPv6 host";
    }
  } else {
    if (size_t c = rest.rfind(':'); c != std::string_view::npos) {
      host = rest.substr(0, c);
      port = rest.substr(c + 1);
    }
    for (char ch : host) {
      if (!IsHostChar(ch)) return "bad character in host '" + std::string(host) + "'";
    }
  }
  if (host.empty()) return "no host";
  if (port) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(port->data(), port->data() + port->size(), value);
    if (port->empty() || error != std::errc() || end != port->data() + port->size() || value == 0 ||
        value > 65535) {
      return "port must be 1-65535, got '" + std::string(*port) + "'";
    }
  }
  if (!query.empty()) {
    if (!turn) return "only turn: and turns: URLs take a ?transport= parameter";
    if (query != "transport=udp" && query != "transport=tcp") {
      return "the only query allowed is ?transport=udp or ?transport=tcp, got '?" + std::string(query) + "'";
    }
  }
  return "";
}

IceServerOptions IceServerOptions::FromConfig(const base::Config& config) {
  IceServerOptions options;
  options.username = config.GetString("ice.username", "");
  options.credential = config.GetString("ice.credential", "");
  bool any_turn = false;
  for (const auto& url : SplitList(config.GetString("ice.servers", ""))) {
    if (std::string problem = CheckIceServerUrl(url); !problem.empty()) {
      throw base::ConfigError("config key 'ice.servers': \"" + url + "\": " + problem);
    }
    bool turn = url.starts_with("turn");
    any_turn = any_turn || turn;
    options.servers.push_back({url, turn});
  }
  if (any_turn && (options.username.empty() || options.credential.empty())) {
    throw base::ConfigError(
        "config key 'ice.username': TURN servers in 'ice.servers' need ice.username and ice.credential");
  }
  if (!IsQuotable(options.username)) {
    throw base::ConfigError(
        "config key 'ice.username': must not contain quotes, backslashes or control characters");
  }
  if (!IsQuotable(options.credential)) {
    throw base::ConfigError(
        "config key 'ice.credential': must not contain quotes, backslashes or control characters");
  }
  return options;
}

std::vector<std::string> IceServerOptions::LinkHeaders() const {
  std::vector<std::string> out;
  out.reserve(servers.size());
  for (const auto& server : servers) {
    std::string value = "<" + server.url + ">; rel=\"ice-server\"";
    if (server.turn) {
      value +=
          "; username=\"" + username + "\"; credential=\"" + credential + "\"; credential-type=\"password\"";
    }
    out.push_back(std::move(value));
  }
  return out;
}

}  // namespace cascade::edge
