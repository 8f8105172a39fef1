#include "core/sdp/SdpParser.hpp"

#include <string>
#include <utility>

#include "core/sdp/SdpText.hpp"

namespace cascade::sdp {
namespace {

using base::Fail;
using text::Quote;
using text::Tokens;

// Parses one document; each method returns an empty optional on success or the error.
class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input) {}

  base::Result<SessionDescription, ParseError> Run();

 private:
  using Status = std::optional<ParseError>;

  ParseError Error(ParseErrorKind kind, std::string message) const {
    return ParseError{kind, line_no_, std::move(message)};
  }
  Status Bad(std::string_view attribute, std::string message) const {
    return Error(ParseErrorKind::kBadAttribute, "a=" + std::string(attribute) + ": " + message);
  }
  Status Range(std::string message) const { return Error(ParseErrorKind::kOutOfRange, std::move(message)); }
  Status Duplicate(std::string_view what) const {
    return Error(ParseErrorKind::kDuplicate, std::string(what) + " appears twice in the same section");
  }

  Status ParseLine(char type, std::string_view value);
  Status ParseSessionLine(char type, std::string_view value);
  Status ParseMediaLine(char type, std::string_view value);
  Status ParseOrigin(std::string_view value);
  Status ParseTiming(std::string_view value);
  Status ParseConnection(std::string_view value, std::optional<Connection>& out);
  Status ParseBandwidth(std::string_view value, std::vector<Bandwidth>& out);
  Status ParseMediaHeader(std::string_view value);
  Status ParseSessionAttribute(std::string_view name, std::optional<std::string_view> value);
  Status ParseMediaAttribute(std::string_view name, std::optional<std::string_view> value);
  // Attributes valid at both levels (RFC 8829 §5.2 lists which).
  // Returns true in `handled` when the name was one of them.
  Status ParseSharedAttribute(std::string_view name, std::optional<std::string_view> value, bool& handled,
                              std::optional<std::string>& ice_ufrag, std::optional<std::string>& ice_pwd,
                              std::vector<std::string>& ice_options, std::vector<Fingerprint>& fingerprints,
                              std::optional<SetupRole>& setup, std::optional<Direction>& direction,
                              bool& extmap_allow_mixed, std::vector<Extmap>& extmaps);

  Status ParseExtmap(std::string_view value, std::vector<Extmap>& out);
  Status ParseFingerprint(std::string_view value, std::vector<Fingerprint>& out);
  Status ParseRtpMap(std::string_view value, MediaDescription& m);
  Status ParseFmtp(std::string_view value, MediaDescription& m);
  Status ParseRtcpFb(std::string_view value, MediaDescription& m);
  Status ParseRtcp(std::string_view value, MediaDescription& m);
  Status ParseSsrc(std::string_view value, MediaDescription& m);
  Status ParseSsrcGroup(std::string_view value, MediaDescription& m);
  Status ParseRid(std::string_view value, MediaDescription& m);
  Status ParseSimulcast(std::string_view value, MediaDescription& m);
  Status ParseMsid(std::string_view value, MediaDescription& m);
  Status ParseSctpmap(std::string_view value, MediaDescription& m);
  Status ParsePayloadType(std::string_view attribute, std::string_view token, uint8_t& out) const;

  std::string_view input_;
  uint32_t line_no_ = 0;
  SessionDescription sd_;
  MediaDescription* media_ = nullptr;  // current m= section, owned by sd_.media
  bool seen_version_ = false;
  bool seen_origin_ = false;
  bool seen_session_name_ = false;
};

base::Result<SessionDescription, ParseError> Parser::Run() {
  if (input_.size() > kMaxSdpSize) {
    return Fail(ParseError{ParseErrorKind::kTooLarge, 0,
                           "SDP of " + std::to_string(input_.size()) + " bytes is over the limit of " +
                               std::to_string(kMaxSdpSize)});
  }
  size_t pos = 0;
  while (pos < input_.size()) {
    size_t end = input_.find('\n', pos);
    if (end == std::string_view::npos) end = input_.size();
    std::string_view line = input_.substr(pos, end - pos);
    pos = end + 1;
    ++line_no_;
    // RFC 8866 §5: lines end in CRLF; LF alone is accepted as the RFC recommends.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) continue;  // tolerated: blank lines carry nothing
    if (line.size() > kMaxLineLength) {
      return Fail(Error(ParseErrorKind::kLineTooLong, "line of " + std::to_string(line.size()) +
                                                          " bytes is over the limit of " +
                                                          std::to_string(kMaxLineLength)));
    }
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      // RFC 8866 §9: text is any byte except NUL, CR and LF.
      if (u < 0x20 && c != '\t') {
        return Fail(Error(ParseErrorKind::kBadLine, "control character " + std::to_string(u) + " in line"));
      }
    }
    // RFC 8866 §5: <type>=<value>, type a single letter.
    char type = line[0];
    bool letter = (type >= 'a' && type <= 'z') || (type >= 'A' && type <= 'Z');
    if (line.size() < 2 || line[1] != '=' || !letter) {
      return Fail(Error(ParseErrorKind::kBadLine, "expected <letter>=<value> but found " + Quote(line)));
    }
    if (!seen_version_ && type != 'v') {
      return Fail(Error(ParseErrorKind::kMissingVersion, "SDP must start with v=0"));
    }
    if (auto status = ParseLine(type, line.substr(2))) return Fail(std::move(*status));
  }
  line_no_ = 0;
  if (!seen_version_) return Fail(Error(ParseErrorKind::kMissingVersion, "empty SDP (no v= line)"));
  if (!seen_origin_) return Fail(Error(ParseErrorKind::kMissingOrigin, "missing o= line (RFC 8866 §5.2)"));
  if (!seen_session_name_) {
    return Fail(Error(ParseErrorKind::kMissingSessionName, "missing s= line (RFC 8866 §5.3)"));
  }
  // t= is mandatory (RFC 8866 §5.9) but RTSP and T.38 SDP often omit it: read as t=0 0.
  if (sd_.timings.empty()) sd_.timings.emplace_back();
  return std::move(sd_);
}

// "name:value" or a bare "name" (RFC 8866 §5.13), shared by session and media attributes.
static std::pair<std::string_view, std::optional<std::string_view>> SplitAttribute(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return {text, std::nullopt};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

Parser::Status Parser::ParseLine(char type, std::string_view value) {
  if (type == 'v') {
    if (seen_version_) return Error(ParseErrorKind::kMisplaced, "v= given twice");
    seen_version_ = true;
    // RFC 8866 §5.1: the only version is 0.
    if (value != "0")
      return Error(ParseErrorKind::kBadVersion, "unsupported version v=" + std::string(value));
    return {};
  }
  if (type == 'm') return ParseMediaHeader(value);
  return media_ ? ParseMediaLine(type, value) : ParseSessionLine(type, value);
}

Parser::Status Parser::ParseSessionLine(char type, std::string_view value) {
  switch (type) {
    case 'o': return ParseOrigin(value);
    case 's':
      if (seen_session_name_) return Error(ParseErrorKind::kMisplaced, "s= given twice");
      seen_session_name_ = true;
      sd_.session_name = value;
      return {};
    case 'i':
      if (sd_.information) return Duplicate("i=");
      sd_.information = std::string(value);
      return {};
    case 'u':
      if (sd_.uri) return Duplicate("u=");
      sd_.uri = std::string(value);
      return {};
    case 'e': sd_.emails.emplace_back(value); return {};
    case 'p': sd_.phones.emplace_back(value); return {};
    case 'c':
      if (sd_.connection) return Duplicate("c=");
      return ParseConnection(value, sd_.connection);
    case 'b': return ParseBandwidth(value, sd_.bandwidths);
    case 't': return ParseTiming(value);
    case 'r':
      if (sd_.timings.empty()) return Error(ParseErrorKind::kMisplaced, "r= before any t= (RFC 8866 §5.10)");
      sd_.timings.back().repeats.emplace_back(value);
      return {};
    case 'z':
      if (sd_.timings.empty()) return Error(ParseErrorKind::kMisplaced, "z= before any t= (RFC 8866 §5.11)");
      if (sd_.timings.back().zone) return Duplicate("z=");
      sd_.timings.back().zone = std::string(value);
      return {};
    case 'k':
      if (sd_.key) return Duplicate("k=");
      sd_.key = std::string(value);
      return {};
    case 'a': {
      auto [name, attr_value] = SplitAttribute(value);
      if (name.empty()) return Error(ParseErrorKind::kBadLine, "a= line without an attribute name");
      return ParseSessionAttribute(name, attr_value);
    }
    default: sd_.other_lines.push_back(UnknownLine{type, std::string(value)}); return {};
  }
}

Parser::Status Parser::ParseMediaLine(char type, std::string_view value) {
  MediaDescription& m = *media_;
  switch (type) {
    case 'o':
    case 's':
    case 'u':
    case 'e':
    case 'p':
    case 't':
    case 'r':
    case 'z':
      // RFC 8866 §5: these belong to the session part, before the first m= line.
      return Error(ParseErrorKind::kMisplaced,
                   std::string(1, type) + "= is a session-level line but appears after m= (RFC 8866 §5)");
    case 'i':
      if (m.information) return Duplicate("i=");
      m.information = std::string(value);
      return {};
    case 'c':
      if (m.connection) return Duplicate("c=");
      return ParseConnection(value, m.connection);
    case 'b': return ParseBandwidth(value, m.bandwidths);
    case 'k':
      if (m.key) return Duplicate("k=");
      m.key = std::string(value);
      return {};
    case 'a': {
      auto [name, attr_value] = SplitAttribute(value);
      if (name.empty()) return Error(ParseErrorKind::kBadLine, "a= line without an attribute name");
      return ParseMediaAttribute(name, attr_value);
    }
    default: m.other_lines.push_back(UnknownLine{type, std::string(value)}); return {};
  }
}

Parser::Status Parser::ParseOrigin(std::string_view value) {
  if (seen_origin_) return Error(ParseErrorKind::kMisplaced, "o= given twice");
  seen_origin_ = true;
  // RFC 8866 §5.2: <username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
  auto t = Tokens(value);
  if (t.size() != 6) {
    return Error(ParseErrorKind::kBadOrigin,
                 "o= needs 6 fields (username sess-id sess-version nettype addrtype address), found " +
                     std::to_string(t.size()));
  }
  auto id = text::ParseUint(t[1]);
  auto version = text::ParseUint(t[2]);
  if (!id)
    return Error(ParseErrorKind::kBadOrigin, "o= session id " + Quote(t[1]) + " is not a 64-bit number");
  if (!version) {
    return Error(ParseErrorKind::kBadOrigin, "o= session version " + Quote(t[2]) + " is not a 64-bit number");
  }
  if (t[4] != "IP4" && t[4] != "IP6") {
    return Error(ParseErrorKind::kBadOrigin, "o= address type " + Quote(t[4]) + " is not IP4 or IP6");
  }
  sd_.origin =
      Origin{std::string(t[0]), *id, *version, std::string(t[3]), std::string(t[4]), std::string(t[5])};
  return {};
}

Parser::Status Parser::ParseTiming(std::string_view value) {
  // RFC 8866 §5.9: t=<start-time> <stop-time>, NTP seconds.
  auto t = Tokens(value);
  if (t.size() != 2)
    return Error(ParseErrorKind::kBadTiming, "t= needs <start> <stop>, found " + Quote(value));
  auto start = text::ParseUint(t[0]);
  auto stop = text::ParseUint(t[1]);
  if (!start || !stop)
    return Error(ParseErrorKind::kBadTiming, "t= times must be numbers, found " + Quote(value));
  Timing timing;
  timing.start = *start;
  timing.stop = *stop;
  sd_.timings.push_back(std::move(timing));
  return {};
}

Parser::Status Parser::ParseConnection(std::string_view value, std::optional<Connection>& out) {
  // RFC 8866 §5.7: c=<nettype> <addrtype> <connection-address>
  auto t = Tokens(value);
  if (t.size() != 3) {
    return Error(ParseErrorKind::kBadConnection,
                 "c= needs <nettype> <addrtype> <address>, found " + Quote(value));
  }
  if (t[0] != "IN")
    return Error(ParseErrorKind::kBadConnection, "c= network type " + Quote(t[0]) + " is not IN");
  if (t[1] != "IP4" && t[1] != "IP6") {
    return Error(ParseErrorKind::kBadConnection, "c= address type " + Quote(t[1]) + " is not IP4 or IP6");
  }
  out = Connection{std::string(t[0]), std::string(t[1]), std::string(t[2])};
  return {};
}

Parser::Status Parser::ParseBandwidth(std::string_view value, std::vector<Bandwidth>& out) {
  // RFC 8866 §5.8: b=<bwtype>:<bandwidth>
  size_t colon = value.find(':');
  if (colon == std::string_view::npos || !text::IsToken(value.substr(0, colon))) {
    return Error(ParseErrorKind::kBadBandwidth, "b= needs <bwtype>:<bandwidth>, found " + Quote(value));
  }
  auto bw = text::ParseUint(value.substr(colon + 1));
  if (!bw)
    return Error(ParseErrorKind::kBadBandwidth,
                 "b= bandwidth " + Quote(value.substr(colon + 1)) + " is not a number");
  out.push_back(Bandwidth{std::string(value.substr(0, colon)), *bw});
  return {};
}

Parser::Status Parser::ParseMediaHeader(std::string_view value) {
  if (sd_.media.size() >= kMaxMediaSections) {
    return Error(ParseErrorKind::kTooManyMediaSections,
                 "more than " + std::to_string(kMaxMediaSections) + " m= sections");
  }
  // RFC 8866 §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
  auto t = Tokens(value);
  if (t.size() < 4) {
    return Error(ParseErrorKind::kBadMedia,
                 "m= needs <media> <port> <proto> <fmt>..., found " + Quote(value));
  }
  if (!text::IsToken(t[0]))
    return Error(ParseErrorKind::kBadMedia, "m= media type " + Quote(t[0]) + " is not a token");
  MediaDescription m;
  m.media = t[0];
  m.kind = ParseMediaKind(t[0]);
  std::string_view port = t[1];
  size_t slash = port.find('/');
  if (slash != std::string_view::npos) {
    auto count = text::ParseUint(port.substr(slash + 1), 65535);
    if (!count || *count == 0)
      return Range("m= port count " + Quote(port.substr(slash + 1)) + " is not 1-65535");
    m.port_count = static_cast<uint16_t>(*count);
    port = port.substr(0, slash);
  }
  auto port_number = text::ParseUint(port, 65535);
  if (!port_number) {
    if (!text::IsDigits(port))
      return Error(ParseErrorKind::kBadMedia, "m= port " + Quote(port) + " is not a number");
    return Range("m= port " + Quote(port) + " is above 65535");
  }
  m.port = static_cast<uint16_t>(*port_number);
  m.proto = t[2];
  for (size_t i = 3; i < t.size(); ++i) m.formats.emplace_back(t[i]);
  if (m.IsRtp()) {
    // RFC 3551 §6: RTP payload types are 7 bits.
    for (const auto& f : m.formats) {
      if (!text::IsDigits(f))
        return Error(ParseErrorKind::kBadMedia, "m= payload type " + Quote(f) + " is not a number");
      if (!text::ParseUint(f, 127)) return Range("m= payload type " + Quote(f) + " is above 127");
    }
  }
  sd_.media.push_back(std::move(m));
  media_ = &sd_.media.back();
  return {};
}

Parser::Status Parser::ParseSharedAttribute(std::string_view name, std::optional<std::string_view> value,
                                            bool& handled, std::optional<std::string>& ice_ufrag,
                                            std::optional<std::string>& ice_pwd,
                                            std::vector<std::string>& ice_options,
                                            std::vector<Fingerprint>& fingerprints,
                                            std::optional<SetupRole>& setup,
                                            std::optional<Direction>& direction, bool& extmap_allow_mixed,
                                            std::vector<Extmap>& extmaps) {
  handled = true;
  if (auto dir = ParseDirection(name)) {
    if (value) return Bad(name, "takes no value");
    // RFC 8866 §6.7: at most one direction attribute per level.
    if (direction) return Duplicate("the direction attribute");
    direction = *dir;
    return {};
  }
  if (name == "extmap-allow-mixed") {
    // RFC 8285 §6
    if (value) return Bad(name, "takes no value");
    extmap_allow_mixed = true;
    return {};
  }
  if (name != "ice-ufrag" && name != "ice-pwd" && name != "ice-options" && name != "fingerprint" &&
      name != "setup" && name != "extmap") {
    handled = false;
    return {};
  }
  if (!value) return Bad(name, "needs a value");
  std::string_view v = *value;
  if (name == "ice-ufrag" || name == "ice-pwd") {
    // RFC 8839 §5.4: ice-ufrag = 4*256ice-char, ice-pwd = 22*256ice-char. Only the character
    // set and the maximum are enforced: the ufrag ends up in STUN USERNAME next to ':'.
    auto& field = name == "ice-ufrag" ? ice_ufrag : ice_pwd;
    if (field) return Duplicate("a=" + std::string(name));
    if (v.size() > 256 || !text::IsIceChars(v)) {
      return Bad(name, "value " + Quote(v) + " must be 1-256 characters of A-Z a-z 0-9 + / (RFC 8839 §5.4)");
    }
    field = std::string(v);
    return {};
  }
  if (name == "ice-options") {
    auto t = Tokens(v);
    if (t.empty()) return Bad(name, "needs at least one option");
    for (auto o : t) ice_options.emplace_back(o);
    return {};
  }
  if (name == "fingerprint") return ParseFingerprint(v, fingerprints);
  if (name == "setup") {
    // RFC 4145 §4: active / passive / actpass / holdconn
    auto role = ParseSetupRole(v);
    if (!role) return Bad(name, "role " + Quote(v) + " is not active, passive, actpass or holdconn");
    if (setup) return Duplicate("a=setup");
    setup = *role;
    return {};
  }
  return ParseExtmap(v, extmaps);
}

Parser::Status Parser::ParseSessionAttribute(std::string_view name, std::optional<std::string_view> value) {
  bool handled = false;
  auto status =
      ParseSharedAttribute(name, value, handled, sd_.ice_ufrag, sd_.ice_pwd, sd_.ice_options,
                           sd_.fingerprints, sd_.setup, sd_.direction, sd_.extmap_allow_mixed, sd_.extmaps);
  if (handled) return status;
  if (name == "ice-lite") {
    // RFC 8839 §5.3: session level only.
    if (value) return Bad(name, "takes no value");
    sd_.ice_lite = true;
    return {};
  }
  if (name == "group" && value) {
    // RFC 5888 §5: a=group:<semantics> *(SP <identification-tag>)
    auto t = Tokens(*value);
    if (t.empty() || !text::IsToken(t[0])) return Bad(name, "needs a semantics token such as BUNDLE");
    Group g;
    g.semantics = t[0];
    for (size_t i = 1; i < t.size(); ++i) g.mids.emplace_back(t[i]);
    sd_.groups.push_back(std::move(g));
    return {};
  }
  if (name == "msid-semantic" && value) {
    auto t = Tokens(*value);
    if (t.empty()) return Bad(name, "needs a semantic such as WMS");
    if (sd_.msid_semantic) return Duplicate("a=msid-semantic");
    MsidSemantic ms;
    ms.semantic = t[0];
    for (size_t i = 1; i < t.size(); ++i) ms.identifiers.emplace_back(t[i]);
    sd_.msid_semantic = std::move(ms);
    return {};
  }
  sd_.other_attributes.push_back(
      Attribute{std::string(name), value ? std::optional<std::string>(*value) : std::nullopt});
  return {};
}

Parser::Status Parser::ParseMediaAttribute(std::string_view name, std::optional<std::string_view> value) {
  MediaDescription& m = *media_;
  bool handled = false;
  auto status = ParseSharedAttribute(name, value, handled, m.ice_ufrag, m.ice_pwd, m.ice_options,
                                     m.fingerprints, m.setup, m.direction, m.extmap_allow_mixed, m.extmaps);
  if (handled) return status;

  // Property attributes (no value).
  bool* flag = nullptr;
  if (name == "rtcp-mux")
    flag = &m.rtcp_mux;  // RFC 5761 §5.1.1
  else if (name == "rtcp-mux-only")
    flag = &m.rtcp_mux_only;  // RFC 8858 §3
  else if (name == "rtcp-rsize")
    flag = &m.rtcp_rsize;  // RFC 5506 §5
  else if (name == "bundle-only")
    flag = &m.bundle_only;  // RFC 9143 §6
  else if (name == "end-of-candidates")
    flag = &m.end_of_candidates;  // RFC 8840 §8.2
  if (flag) {
    if (value) return Bad(name, "takes no value");
    *flag = true;
    return {};
  }

  // RTP-only attributes in a non-RTP section mean nothing to us: keep them as they are.
  bool rtp_only = name == "rtpmap" || name == "fmtp" || name == "rtcp-fb";
  bool known = rtp_only || name == "mid" || name == "candidate" || name == "rtcp" || name == "ssrc" ||
               name == "ssrc-group" || name == "rid" || name == "simulcast" || name == "msid" ||
               name == "sctp-port" || name == "max-message-size" || name == "sctpmap";
  if (!known || (rtp_only && !m.IsRtp())) {
    m.other_attributes.push_back(
        Attribute{std::string(name), value ? std::optional<std::string>(*value) : std::nullopt});
    return {};
  }
  if (!value) return Bad(name, "needs a value");
  std::string_view v = *value;
  if (name == "mid") {
    // RFC 5888 §4: identification-tag = token; must not contain spaces to fit a=group.
    if (m.mid) return Duplicate("a=mid");
    if (v.empty() || v.find(' ') != std::string_view::npos)
      return Bad(name, "value " + Quote(v) + " must be one non-empty token");
    m.mid = std::string(v);
    return {};
  }
  if (name == "candidate") {
    auto candidate = ParseCandidate(v);
    if (!candidate) return Error(ParseErrorKind::kBadAttribute, candidate.error());
    m.candidates.push_back(std::move(*candidate));
    return {};
  }
  if (name == "rtpmap") return ParseRtpMap(v, m);
  if (name == "fmtp") return ParseFmtp(v, m);
  if (name == "rtcp-fb") return ParseRtcpFb(v, m);
  if (name == "rtcp") return ParseRtcp(v, m);
  if (name == "ssrc") return ParseSsrc(v, m);
  if (name == "ssrc-group") return ParseSsrcGroup(v, m);
  if (name == "rid") return ParseRid(v, m);
  if (name == "simulcast") return ParseSimulcast(v, m);
  if (name == "msid") return ParseMsid(v, m);
  if (name == "sctpmap") return ParseSctpmap(v, m);
  if (name == "sctp-port") {
    // RFC 8841 §5.1: sctp-port = port (0-65535)
    if (m.sctp_port) return Duplicate("a=sctp-port");
    auto port = text::ParseUint(v, 65535);
    if (!port) return Range("a=sctp-port " + Quote(v) + " is not 0-65535");
    m.sctp_port = static_cast<uint16_t>(*port);
    return {};
  }
  // max-message-size, RFC 8841 §6.1: 1*DIGIT
  if (m.max_message_size) return Duplicate("a=max-message-size");
  auto size = text::ParseUint(v);
  if (!size) return Range("a=max-message-size " + Quote(v) + " is not a 64-bit number");
  m.max_message_size = *size;
  return {};
}

Parser::Status Parser::ParseExtmap(std::string_view value, std::vector<Extmap>& out) {
  // RFC 8285 §7: extmap = mapentry SP extensionname [SP extensionattributes]
  //              mapentry = "extmap:" 1*5DIGIT ["/" direction]
  auto t = Tokens(value);
  if (t.size() < 2) return Bad("extmap", "needs <id>[/<direction>] <uri>, found " + Quote(value));
  Extmap e;
  std::string_view id = t[0];
  size_t slash = id.find('/');
  if (slash != std::string_view::npos) {
    auto dir = ParseDirection(id.substr(slash + 1));
    if (!dir)
      return Bad("extmap",
                 "direction " + Quote(id.substr(slash + 1)) + " is not sendrecv/sendonly/recvonly/inactive");
    e.direction = *dir;
    id = id.substr(0, slash);
  }
  if (!text::IsDigits(id)) return Bad("extmap", "id " + Quote(id) + " is not a number");
  // RFC 8285 §5: 1-14 in one-byte headers, 1-255 in two-byte headers.
  auto number = text::ParseUint(id, 255);
  if (!number || *number == 0) return Range("a=extmap id " + Quote(id) + " is not 1-255 (RFC 8285 §5)");
  e.id = static_cast<uint16_t>(*number);
  e.uri = t[1];
  // Extension attributes: the rest of the line after the URI, as sent.
  size_t uri_pos = static_cast<size_t>(t[1].data() - value.data());
  e.attributes = text::SkipSpaces(value.substr(uri_pos + t[1].size()));
  for (const auto& other : out) {
    // RFC 8285 §6: each id maps to one extension per section.
    if (other.id == e.id)
      return Error(ParseErrorKind::kDuplicate, "a=extmap id " + std::to_string(e.id) + " used twice");
  }
  out.push_back(std::move(e));
  return {};
}

Parser::Status Parser::ParseFingerprint(std::string_view value, std::vector<Fingerprint>& out) {
  // RFC 8122 §5: hash-func SP fingerprint, fingerprint = 2UHEX *(":" 2UHEX)
  auto t = Tokens(value);
  if (t.size() != 2) return Bad("fingerprint", "needs <hash-function> <hex:hex:...>, found " + Quote(value));
  if (!text::IsToken(t[0])) return Bad("fingerprint", "hash function " + Quote(t[0]) + " is not a token");
  std::string_view fp = t[1];
  auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
  };
  bool ok = fp.size() >= 2 && (fp.size() + 1) % 3 == 0;
  for (size_t i = 0; ok && i < fp.size(); ++i) {
    ok = (i % 3 == 2) ? fp[i] == ':' : hex(fp[i]);
  }
  if (!ok)
    return Bad("fingerprint", "value " + Quote(fp) + " is not colon-separated hex pairs (RFC 8122 §5)");
  out.push_back(Fingerprint{std::string(t[0]), std::string(fp)});
  return {};
}

Parser::Status Parser::ParsePayloadType(std::string_view attribute, std::string_view token,
                                        uint8_t& out) const {
  if (!text::IsDigits(token)) {
    return Error(ParseErrorKind::kBadAttribute,
                 "a=" + std::string(attribute) + ": payload type " + Quote(token) + " is not a number");
  }
  auto pt = text::ParseUint(token, 127);
  if (!pt) return Range("a=" + std::string(attribute) + ": payload type " + Quote(token) + " is above 127");
  out = static_cast<uint8_t>(*pt);
  return {};
}

Parser::Status Parser::ParseRtpMap(std::string_view value, MediaDescription& m) {
  // RFC 8866 §6.6: <payload type> <encoding name>/<clock rate>[/<encoding parameters>]
  auto t = Tokens(value);
  if (t.size() != 2) return Bad("rtpmap", "needs <pt> <encoding>/<clock rate>, found " + Quote(value));
  RtpMap r;
  if (auto s = ParsePayloadType("rtpmap", t[0], r.payload_type)) return s;
  std::string_view rest = t[1];
  size_t slash = rest.find('/');
  r.encoding = rest.substr(0, slash);
  if (r.encoding.empty()) return Bad("rtpmap", "empty encoding name");
  if (slash != std::string_view::npos) {
    rest = rest.substr(slash + 1);
    size_t slash2 = rest.find('/');
    auto clock = text::ParseUint(rest.substr(0, slash2), 0xFFFFFFFFu);
    if (!clock)
      return Bad("rtpmap", "clock rate " + Quote(rest.substr(0, slash2)) + " is not a 32-bit number");
    r.clock_rate = static_cast<uint32_t>(*clock);
    if (slash2 != std::string_view::npos) {
      auto channels = text::ParseUint(rest.substr(slash2 + 1), 255);
      if (!channels)
        return Bad("rtpmap", "channel count " + Quote(rest.substr(slash2 + 1)) + " is not 0-255");
      r.channels = static_cast<uint16_t>(*channels);
    }
  }
  if (m.FindRtpMap(r.payload_type)) return Duplicate("a=rtpmap:" + std::to_string(r.payload_type));
  m.rtpmaps.push_back(std::move(r));
  return {};
}

Parser::Status Parser::ParseFmtp(std::string_view value, MediaDescription& m) {
  // RFC 8866 §6.15: a=fmtp:<format> <format specific parameters>; parameters are
  // `key=value` separated by ';' for every codec WebRTC uses (RFC 7587, 6184, 7741...).
  value = text::SkipSpaces(value);
  size_t space = value.find(' ');
  Fmtp f;
  if (auto s = ParsePayloadType("fmtp", value.substr(0, space), f.payload_type)) return s;
  std::string_view params = space == std::string_view::npos ? std::string_view() : value.substr(space + 1);
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view part = text::TrimSpaces(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    FmtpParam p;
    p.key = text::TrimSpaces(part.substr(0, eq));
    if (eq != std::string_view::npos) p.value = std::string(text::TrimSpaces(part.substr(eq + 1)));
    f.params.push_back(std::move(p));
  }
  if (m.FindFmtp(f.payload_type)) return Duplicate("a=fmtp:" + std::to_string(f.payload_type));
  m.fmtps.push_back(std::move(f));
  return {};
}

Parser::Status Parser::ParseRtcpFb(std::string_view value, MediaDescription& m) {
  // RFC 4585 §4.2: rtcp-fb-pt SP rtcp-fb-val, rtcp-fb-pt = "*" / fmt
  auto t = Tokens(value);
  if (t.size() < 2) return Bad("rtcp-fb", "needs <pt|*> <type> [<parameter>], found " + Quote(value));
  RtcpFb fb;
  if (t[0] != "*") {
    uint8_t pt = 0;
    if (auto s = ParsePayloadType("rtcp-fb", t[0], pt)) return s;
    fb.payload_type = pt;
  }
  fb.type = t[1];
  std::vector<std::string_view> rest(t.begin() + 2, t.end());
  fb.parameter = text::Join(rest, " ");
  m.rtcp_fbs.push_back(std::move(fb));
  return {};
}

Parser::Status Parser::ParseRtcp(std::string_view value, MediaDescription& m) {
  // RFC 3605 §2.1: rtcp-attribute = "a=rtcp:" port [nettype space addrtype space connection-address]
  auto t = Tokens(value);
  if (t.size() != 1 && t.size() != 4)
    return Bad("rtcp", "needs <port> [IN <IP4|IP6> <address>], found " + Quote(value));
  if (m.rtcp) return Duplicate("a=rtcp");
  auto port = text::ParseUint(t[0], 65535);
  if (!port) return Range("a=rtcp port " + Quote(t[0]) + " is not 0-65535");
  Rtcp r;
  r.port = static_cast<uint16_t>(*port);
  if (t.size() == 4) {
    if (t[1] != "IN")
      return Error(ParseErrorKind::kBadConnection, "a=rtcp: network type " + Quote(t[1]) + " is not IN");
    if (t[2] != "IP4" && t[2] != "IP6") {
      return Error(ParseErrorKind::kBadConnection,
                   "a=rtcp: address type " + Quote(t[2]) + " is not IP4 or IP6");
    }
    r.connection = Connection{std::string(t[1]), std::string(t[2]), std::string(t[3])};
  }
  m.rtcp = std::move(r);
  return {};
}

Parser::Status Parser::ParseSsrc(std::string_view value, MediaDescription& m) {
  // RFC 5576 §4.1: ssrc-id SP attribute [":" value]
  size_t space = value.find(' ');
  std::string_view id = value.substr(0, space);
  auto ssrc = text::ParseUint(id, 0xFFFFFFFFu);
  if (!ssrc) return Range("a=ssrc id " + Quote(id) + " is not a 32-bit number");
  std::string_view rest =
      space == std::string_view::npos ? std::string_view() : text::SkipSpaces(value.substr(space));
  if (rest.empty()) return Bad("ssrc", "needs <ssrc> <attribute>[:<value>], found " + Quote(value));
  SsrcAttribute a;
  a.ssrc = static_cast<uint32_t>(*ssrc);
  size_t colon = rest.find(':');
  a.attribute = rest.substr(0, colon);
  if (a.attribute.empty()) return Bad("ssrc", "empty attribute name");
  if (colon != std::string_view::npos) a.value = std::string(rest.substr(colon + 1));
  m.ssrcs.push_back(std::move(a));
  return {};
}

Parser::Status Parser::ParseSsrcGroup(std::string_view value, MediaDescription& m) {
  // RFC 5576 §4.2: semantics *(SP ssrc-id)
  auto t = Tokens(value);
  if (t.empty() || !text::IsToken(t[0]))
    return Bad("ssrc-group", "needs <semantics> <ssrc>..., found " + Quote(value));
  SsrcGroup g;
  g.semantics = t[0];
  for (size_t i = 1; i < t.size(); ++i) {
    auto ssrc = text::ParseUint(t[i], 0xFFFFFFFFu);
    if (!ssrc) return Range("a=ssrc-group: ssrc " + Quote(t[i]) + " is not a 32-bit number");
    g.ssrcs.push_back(static_cast<uint32_t>(*ssrc));
  }
  m.ssrc_groups.push_back(std::move(g));
  return {};
}

namespace {
// RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_")
bool IsRidId(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!text::IsAlnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}
}  // namespace

Parser::Status Parser::ParseRid(std::string_view value, MediaDescription& m) {
  // RFC 8851 §10: rid-id SP rid-dir [SP rid-pt-param-list / SP rid-param-list]
  auto t = Tokens(value);
  if (t.size() < 2) return Bad("rid", "needs <id> <send|recv> [params], found " + Quote(value));
  Rid r;
  if (!IsRidId(t[0])) return Bad("rid", "id " + Quote(t[0]) + " must be letters, digits, '-' or '_'");
  r.id = t[0];
  if (t[1] == "send")
    r.direction = RidDirection::kSend;
  else if (t[1] == "recv")
    r.direction = RidDirection::kRecv;
  else
    return Bad("rid", "direction " + Quote(t[1]) + " is not send or recv");
  for (const auto& other : m.rids) {
    // RFC 8851 §4: a rid-id is unique within its section.
    if (other.id == r.id) return Error(ParseErrorKind::kDuplicate, "a=rid " + Quote(r.id) + " given twice");
  }
  std::string_view params;
  if (t.size() > 2) {
    size_t pos = static_cast<size_t>(t[2].data() - value.data());
    params = value.substr(pos);
  }
  bool seen_pt = false;
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view part = text::TrimSpaces(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view key = text::TrimSpaces(part.substr(0, eq));
    if (key.empty()) return Bad("rid", "restriction without a name in " + Quote(value));
    if (key == "pt") {
      // rid-fmt-list = "pt=" fmt *( "," fmt )
      if (seen_pt) return Bad("rid", "pt= given twice");
      seen_pt = true;
      std::string_view list =
          eq == std::string_view::npos ? std::string_view() : text::TrimSpaces(part.substr(eq + 1));
      if (list.empty()) return Bad("rid", "pt= needs at least one payload type");
      while (true) {
        size_t comma = list.find(',');
        uint8_t pt = 0;
        if (auto s = ParsePayloadType("rid", text::TrimSpaces(list.substr(0, comma)), pt)) return s;
        r.payload_types.push_back(pt);
        if (comma == std::string_view::npos) break;
        list = list.substr(comma + 1);
      }
      continue;
    }
    RidRestriction restriction;
    restriction.key = key;
    if (eq != std::string_view::npos) restriction.value = std::string(text::TrimSpaces(part.substr(eq + 1)));
    r.restrictions.push_back(std::move(restriction));
  }
  m.rids.push_back(std::move(r));
  return {};
}

Parser::Status Parser::ParseSimulcast(std::string_view value, MediaDescription& m) {
  // draft-ietf-mmusic-sdp-simulcast before -10 wrote "send rid=1,2 paused=2"; old Firefox
  // and sdp-transform fixtures still carry it. It is kept verbatim, not interpreted.
  if (value.find("rid=") != std::string_view::npos) {
    m.other_attributes.push_back(Attribute{"simulcast", std::string(value)});
    return {};
  }
  // RFC 8853 §5.1: sc-value = (sc-send [SP sc-recv]) / (sc-recv [SP sc-send])
  auto t = Tokens(value);
  if (t.size() != 2 && t.size() != 4) {
    return Bad("simulcast", "needs send <streams> and/or recv <streams>, found " + Quote(value));
  }
  // RFC 8853 §5.1: at most one a=simulcast per media section.
  if (m.simulcast) return Duplicate("a=simulcast");
  Simulcast sc;
  bool seen_send = false;
  bool seen_recv = false;
  for (size_t i = 0; i < t.size(); i += 2) {
    std::vector<SimulcastStream>* target = nullptr;
    if (t[i] == "send" && !seen_send) {
      seen_send = true;
      target = &sc.send;
    } else if (t[i] == "recv" && !seen_recv) {
      seen_recv = true;
      target = &sc.recv;
    } else {
      return Bad("simulcast", "direction " + Quote(t[i]) + " is not send or recv (or repeats)");
    }
    // sc-str-list = sc-alt-list *(";" sc-alt-list); sc-alt-list = sc-id *("," sc-id)
    std::string_view list = t[i + 1];
    while (true) {
      size_t semi = list.find(';');
      std::string_view stream = list.substr(0, semi);
      SimulcastStream alternatives;
      while (true) {
        size_t comma = stream.find(',');
        std::string_view id = stream.substr(0, comma);
        SimulcastId sid;
        if (!id.empty() && id.front() == '~') {
          sid.paused = true;
          id.remove_prefix(1);
        }
        if (!IsRidId(id))
          return Bad("simulcast", "rid " + Quote(id) + " must be letters, digits, '-' or '_'");
        sid.rid = id;
        alternatives.push_back(std::move(sid));
        if (comma == std::string_view::npos) break;
        stream = stream.substr(comma + 1);
      }
      target->push_back(std::move(alternatives));
      if (semi == std::string_view::npos) break;
      list = list.substr(semi + 1);
    }
  }
  m.simulcast = std::move(sc);
  return {};
}

Parser::Status Parser::ParseMsid(std::string_view value, MediaDescription& m) {
  // RFC 8830 §2: msid-value = msid-id [ SP msid-appdata ]
  auto t = Tokens(value);
  if (t.empty() || t.size() > 2) return Bad("msid", "needs <stream id> [<track id>], found " + Quote(value));
  m.msids.push_back(Msid{std::string(t[0]), t.size() > 1 ? std::string(t[1]) : std::string()});
  return {};
}

Parser::Status Parser::ParseSctpmap(std::string_view value, MediaDescription& m) {
  // draft-ietf-mmusic-sctp-sdp-05 §6: sctpmap-number SP app [SP max-message-size/streams]
  auto t = Tokens(value);
  if (t.size() < 2 || t.size() > 3)
    return Bad("sctpmap", "needs <port> <app> [<streams>], found " + Quote(value));
  if (m.sctpmap) return Duplicate("a=sctpmap");
  Sctpmap s;
  auto port = text::ParseUint(t[0], 65535);
  if (!port) return Range("a=sctpmap port " + Quote(t[0]) + " is not 0-65535");
  s.port = static_cast<uint16_t>(*port);
  s.app = t[1];
  if (t.size() == 3) {
    auto streams = text::ParseUint(t[2], 0xFFFFFFFFu);
    if (!streams) return Range("a=sctpmap streams " + Quote(t[2]) + " is not a 32-bit number");
    s.streams = static_cast<uint32_t>(*streams);
  }
  m.sctpmap = std::move(s);
  return {};
}

}  // namespace

base::Result<SessionDescription, ParseError> ParseSdp(std::string_view text) { return Parser(text).Run(); }

}  // namespace cascade::sdp
