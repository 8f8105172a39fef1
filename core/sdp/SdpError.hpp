#pragma once
// Typed errors of the SDP parser and of answer negotiation. The edge turns either into an
// HTTP 400 carrying Describe(); callers count kinds with base::EnumCounters.
#include <cstdint>
#include <string>

namespace cascade::sdp {

enum class ParseErrorKind : uint8_t {
  kTooLarge,        // whole document over kMaxSdpSize
  kLineTooLong,     // one line over kMaxLineLength
  kBadLine,         // not `<letter>=<value>`, or a control character
  kMissingVersion,  // first line is not v=
  kBadVersion,      // v= other than 0
  kMissingOrigin,   // no o=
  kBadOrigin,       // malformed o=
  kMissingSessionName,
  kBadTiming,      // malformed t=
  kBadConnection,  // malformed c= or a=rtcp address
  kBadBandwidth,   // malformed b=
  kBadMedia,       // malformed m=
  kBadAttribute,   // a known attribute whose value does not follow its grammar
  kOutOfRange,     // a number outside its range (port, payload type, extmap id...)
  kDuplicate,      // a line that may appear once appears twice
  kMisplaced,      // a session-only line inside a media section, or v=/o=/s= repeated
  kTooManyMediaSections,
  kCount
};
const char* ToString(ParseErrorKind kind);

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::kBadLine;
  uint32_t line = 0;  // 1-based line number, 0 for document-level problems
  std::string message;
  // "line 7: a=rtcp: unknown address type 'IP7'"
  std::string Describe() const;
};

enum class NegotiationErrorKind : uint8_t {
  kNoMediaSections,
  kMissingMid,  // an m= section without a=mid (RFC 8829 §5.2.1)
  kDuplicateMid,
  kMissingBundle,          // no a=group:BUNDLE (RFC 9143)
  kMissingRtcpMux,         // an RTP section without a=rtcp-mux (RFC 8829 §5.1.3)
  kMissingFingerprint,     // no a=fingerprint (RFC 8122, RFC 5763 §5)
  kMissingIceCredentials,  // no a=ice-ufrag / a=ice-pwd (RFC 8839 §5.4)
  kBadSetup,               // a=setup:holdconn
  kNoSupportedCodec,       // no section left with a codec we support
  kNoUsableMedia,          // every section rejected for another reason
  kBadOptions,             // AnswerOptions missing our own credentials or fingerprint
  kCount
};
const char* ToString(NegotiationErrorKind kind);

struct NegotiationError {
  NegotiationErrorKind kind = NegotiationErrorKind::kNoUsableMedia;
  std::string message;
  std::string Describe() const { return message; }
};

}  // namespace cascade::sdp
