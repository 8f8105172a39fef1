#pragma once
// Value types for the SDP attributes the media core understands (RFC 8866, JSEP RFC 8829).
// Every type compares field by field so that parse -> serialize -> parse can be checked
// for equality (tests, fuzzer). Text fields hold what the peer sent; numbers are range
// checked by the parser, so a value held here is always serializable.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cascade::sdp {

// RFC 8866 §6.7: the media direction attributes; a section without one is sendrecv.
enum class Direction : uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive, kCount };
const char* ToString(Direction direction);
std::optional<Direction> ParseDirection(std::string_view text);
// The direction seen from the other side (sendonly <-> recvonly).
Direction Reverse(Direction direction);

// RFC 4145 §4 / RFC 5763 §5: who opens the DTLS connection.
enum class SetupRole : uint8_t { kActive, kPassive, kActPass, kHoldConn, kCount };
const char* ToString(SetupRole role);
std::optional<SetupRole> ParseSetupRole(std::string_view text);

enum class MediaKind : uint8_t { kAudio, kVideo, kApplication, kOther, kCount };
const char* ToString(MediaKind kind);
MediaKind ParseMediaKind(std::string_view text);

// c= (RFC 8866 §5.7) and the optional address of a=rtcp (RFC 3605).
struct Connection {
  std::string net_type = "IN";
  std::string address_type = "IP4";  // IP4 or IP6
  std::string address;               // may carry /ttl/count for multicast, kept as sent
  bool operator==(const Connection&) const = default;
};

// o= (RFC 8866 §5.2).
struct Origin {
  std::string username = "-";
  uint64_t session_id = 0;
  uint64_t session_version = 0;
  std::string net_type = "IN";
  std::string address_type = "IP4";
  std::string address = "127.0.0.1";
  bool operator==(const Origin&) const = default;
};

// t= with its r= lines and z= (RFC 8866 §5.9-5.11).
struct Timing {
  uint64_t start = 0;
  uint64_t stop = 0;
  std::vector<std::string> repeats;  // r= values, kept as sent
  std::optional<std::string> zone;   // z= value
  bool operator==(const Timing&) const = default;
};

// b=<bwtype>:<bandwidth> (RFC 8866 §5.8).
struct Bandwidth {
  std::string type;
  uint64_t value = 0;
  bool operator==(const Bandwidth&) const = default;
};

// A line with a type letter we do not model, kept so it survives re-serialization.
struct UnknownLine {
  char type = 'x';
  std::string value;
  bool operator==(const UnknownLine&) const = default;
};

// An a= line we do not model (or a known one at a level where it has no meaning).
struct Attribute {
  std::string name;
  std::optional<std::string> value;  // nullopt for a property attribute (`a=name`)
  bool operator==(const Attribute&) const = default;
};

// a=group:<semantics> <mid>... (RFC 5888 §5, BUNDLE RFC 9143).
struct Group {
  std::string semantics;
  std::vector<std::string> mids;
  bool operator==(const Group&) const = default;
};

// a=fingerprint:<hash-func> <XX:XX:...> (RFC 8122 §5).
struct Fingerprint {
  std::string algorithm;  // lower case as sent, e.g. sha-256
  std::string value;      // colon separated hex pairs
  bool operator==(const Fingerprint&) const = default;
};

// a=msid-semantic: WMS [ids] (draft-ietf-mmusic-msid-01, still sent by browsers).
struct MsidSemantic {
  std::string semantic;
  std::vector<std::string> identifiers;
  bool operator==(const MsidSemantic&) const = default;
};

// a=extmap:<id>[/<direction>] <uri> [<extension attributes>] (RFC 8285 §7).
struct Extmap {
  uint16_t id = 0;  // 1-14 one-byte, 1-255 two-byte header
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;  // e.g. the real URI of an RFC 6904 encrypted extension
  bool operator==(const Extmap&) const = default;
};

// a=rtpmap:<pt> <encoding>/<clock>[/<channels>] (RFC 8866 §6.6).
struct RtpMap {
  uint8_t payload_type = 0;
  std::string encoding;     // as sent (compare case-insensitively)
  uint32_t clock_rate = 0;  // 0 if the peer left it out (seen in the wild)
  uint16_t channels = 0;    // 0 when absent (means 1)
  bool operator==(const RtpMap&) const = default;
};

// One `key=value` (or bare `key`) of an a=fmtp line.
struct FmtpParam {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const FmtpParam&) const = default;
};

// a=fmtp:<pt> <params> (RFC 8866 §6.15); params split on ';' into key/value.
struct Fmtp {
  uint8_t payload_type = 0;
  std::vector<FmtpParam> params;
  const std::string* Find(std::string_view key) const;
  bool operator==(const Fmtp&) const = default;
};

// a=rtcp-fb:<pt|*> <type> [<parameter>] (RFC 4585 §4.2).
struct RtcpFb {
  std::optional<uint8_t> payload_type;  // nullopt for '*' (every format)
  std::string type;                     // nack, ccm, goog-remb, transport-cc, trr-int...
  std::string parameter;                // pli, fir, ... (empty when absent)
  bool operator==(const RtcpFb&) const = default;
};

// a=rtcp:<port> [<nettype> <addrtype> <address>] (RFC 3605 §2.1).
struct Rtcp {
  uint16_t port = 0;
  std::optional<Connection> connection;
  bool operator==(const Rtcp&) const = default;
};

// a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 §4.1).
struct SsrcAttribute {
  uint32_t ssrc = 0;
  std::string attribute;
  std::optional<std::string> value;
  bool operator==(const SsrcAttribute&) const = default;
};

// a=ssrc-group:<semantics> <ssrc>... (RFC 5576 §4.2); FID, SIM, FEC-FR...
struct SsrcGroup {
  std::string semantics;
  std::vector<uint32_t> ssrcs;
  bool operator==(const SsrcGroup&) const = default;
};

// a=msid:<stream id> [<track id>] (RFC 8830 §2).
struct Msid {
  std::string stream_id;
  std::string track_id;  // empty when absent
  bool operator==(const Msid&) const = default;
};

enum class RidDirection : uint8_t { kSend, kRecv, kCount };
const char* ToString(RidDirection direction);

// One `key[=value]` restriction of an a=rid line (max-width=1280, ...).
struct RidRestriction {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const RidRestriction&) const = default;
};

// a=rid:<id> <send|recv> [pt=<fmt>,...;][restrictions] (RFC 8851 §10).
struct Rid {
  std::string id;
  RidDirection direction = RidDirection::kSend;
  std::vector<uint8_t> payload_types;  // from pt=, empty when absent
  std::vector<RidRestriction> restrictions;
  bool operator==(const Rid&) const = default;
};

struct SimulcastId {
  std::string rid;
  bool paused = false;  // '~' prefix
  bool operator==(const SimulcastId&) const = default;
};
// One ';' separated stream: alternatives separated by ','.
using SimulcastStream = std::vector<SimulcastId>;

// a=simulcast:[send <streams>] [recv <streams>] (RFC 8853 §5.1).
struct Simulcast {
  std::vector<SimulcastStream> send;
  std::vector<SimulcastStream> recv;
  bool operator==(const Simulcast&) const = default;
};

// a=sctpmap:<port> <app> [<streams>] (draft-ietf-mmusic-sctp-sdp-05, old Firefox/Chrome).
struct Sctpmap {
  uint16_t port = 0;
  std::string app;
  std::optional<uint32_t> streams;
  bool operator==(const Sctpmap&) const = default;
};

// ASCII case-insensitive comparison (codec names, hash functions).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace cascade::sdp
