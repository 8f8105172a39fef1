#include "core/sdp/Candidate.hpp"

#include "core/sdp/SdpText.hpp"

namespace cascade::sdp {

const std::string* Candidate::Extension(std::string_view name) const {
  for (const auto& [key, value] : extensions) {
    if (key == name) return &value;
  }
  return nullptr;
}

base::Result<Candidate, std::string> ParseCandidate(std::string_view value) {
  using base::Fail;
  auto tokens = text::Tokens(value);
  // RFC 8839 §5.1: foundation component transport priority address port "typ" type.
  if (tokens.size() < 8) {
    return Fail(
        std::string("a=candidate needs foundation, component, transport, priority, address, port and typ"));
  }
  Candidate c;
  // foundation = 1*32 ice-char
  if (tokens[0].size() > 32 || !text::IsIceChars(tokens[0])) {
    return Fail("a=candidate: bad foundation " + text::Quote(tokens[0]) + " (1-32 ice-chars, RFC 8839 §5.1)");
  }
  c.foundation = tokens[0];
  // component-id = 1*3DIGIT, 1..256
  auto component = text::ParseUint(tokens[1], 256);
  if (!component || *component == 0) {
    return Fail("a=candidate: component id " + text::Quote(tokens[1]) + " is not 1-256");
  }
  c.component = static_cast<uint16_t>(*component);
  if (!text::IsToken(tokens[2])) return Fail("a=candidate: bad transport " + text::Quote(tokens[2]));
  c.transport = tokens[2];
  // priority = 1*10DIGIT; a 32-bit value on the wire (RFC 8445 §5.1.2).
  auto priority = text::ParseUint(tokens[3], 0xFFFFFFFFu);
  if (!priority) return Fail("a=candidate: priority " + text::Quote(tokens[3]) + " is not a 32-bit number");
  c.priority = static_cast<uint32_t>(*priority);
  c.address = tokens[4];
  auto port = text::ParseUint(tokens[5], 65535);
  if (!port) return Fail("a=candidate: port " + text::Quote(tokens[5]) + " is not 0-65535");
  c.port = static_cast<uint16_t>(*port);
  if (tokens[6] != "typ") return Fail("a=candidate: expected 'typ' but found " + text::Quote(tokens[6]));
  if (!text::IsToken(tokens[7])) return Fail("a=candidate: bad candidate type " + text::Quote(tokens[7]));
  c.type = tokens[7];
  // [SP rel-addr] [SP rel-port] *(SP extension-att-name SP extension-att-value)
  for (size_t i = 8; i < tokens.size(); i += 2) {
    if (i + 1 >= tokens.size()) {
      return Fail("a=candidate: " + text::Quote(tokens[i]) + " has no value");
    }
    std::string_view name = tokens[i];
    std::string_view val = tokens[i + 1];
    if (name == "raddr") {
      if (c.related_address) return Fail(std::string("a=candidate: raddr given twice"));
      c.related_address = std::string(val);
    } else if (name == "rport") {
      if (c.related_port) return Fail(std::string("a=candidate: rport given twice"));
      auto rport = text::ParseUint(val, 65535);
      if (!rport) return Fail("a=candidate: rport " + text::Quote(val) + " is not 0-65535");
      c.related_port = static_cast<uint16_t>(*rport);
    } else if (name == "tcptype") {
      // RFC 6544 §4.5
      if (!c.tcp_type.empty()) return Fail(std::string("a=candidate: tcptype given twice"));
      c.tcp_type = val;
    } else {
      c.extensions.emplace_back(std::string(name), std::string(val));
    }
  }
  return c;
}

std::string FormatCandidate(const Candidate& c) {
  std::string out;
  out.reserve(128);
  out += c.foundation;
  out += ' ';
  out += std::to_string(c.component);
  out += ' ';
  out += c.transport;
  out += ' ';
  out += std::to_string(c.priority);
  out += ' ';
  out += c.address;
  out += ' ';
  out += std::to_string(c.port);
  out += " typ ";
  out += c.type;
  if (c.related_address) {
    out += " raddr ";
    out += *c.related_address;
  }
  if (c.related_port) {
    out += " rport ";
    out += std::to_string(*c.related_port);
  }
  if (!c.tcp_type.empty()) {
    out += " tcptype ";
    out += c.tcp_type;
  }
  for (const auto& [name, value] : c.extensions) {
    out += ' ';
    out += name;
    out += ' ';
    out += value;
  }
  return out;
}

}  // namespace cascade::sdp
