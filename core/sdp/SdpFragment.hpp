#pragma once
// Bodies of type application/trickle-ice-sdpfrag (RFC 8840 §9): the ICE lines of an SDP and
// nothing else. WHIP and WHEP (RFC 9725 §4.3) PATCH them to a session to trickle candidates
// (same ufrag) or to restart ICE (new ufrag and pwd; the 200 OK carries ours back, also as a
// fragment).
//
// Shape (RFC 8840 §9.2): session-level ICE attributes, then zero or more pseudo media sections,
// each opened by an m= line. Only a=mid ties such a section to a negotiated one: the m= line's
// port, proto and formats carry nothing (RFC 9725's own example sends "m=audio 9 RTP/AVP 0"
// for a SAVPF session), so it is checked for a media token only and kept as sent.
//
// The body comes from the network: every line is bounds checked, a malformed one gives an
// error naming it, unknown attributes are kept, and nothing here can crash on any input.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/Result.hpp"
#include "core/sdp/Candidate.hpp"
#include "core/sdp/SdpTypes.hpp"

namespace cascade::sdp {

// A candidate line is ~100-150 bytes and a browser gathers a handful per network: 64 KiB is
// far more than a real fragment and matches the edge's body limit.
inline constexpr size_t kMaxSdpFragmentSize = 64 * 1024;
inline constexpr size_t kMaxSdpFragmentLineLength = 4096;
inline constexpr size_t kMaxSdpFragmentMediaSections = 128;
// Each trickled candidate may cost the owner a connectivity check: bound the work one body can ask for.
inline constexpr size_t kMaxSdpFragmentCandidates = 256;

// One pseudo media section: the ICE lines of the m= section whose a=mid it names.
struct FragmentMedia {
  std::string media_line = "audio 9 UDP/TLS/RTP/SAVPF 0";  // the value after "m=", kept as sent
  std::optional<std::string> mid;                          // optional here; the owner decides
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<Candidate> candidates;
  bool end_of_candidates = false;           // RFC 8840 §8.2: no more candidates for this section
  std::vector<Attribute> other_attributes;  // e.g. a=remote-candidates, kept in order
  bool operator==(const FragmentMedia&) const = default;
};

struct SdpFragment {
  bool ice_lite = false;  // sent by a lite agent in its ICE restart answer (RFC 9725 §4.3)
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<std::string> ice_options;  // trickle, ice2, ...
  std::vector<Group> groups;             // a=group:BUNDLE, which WHIP clients copy in
  bool end_of_candidates = false;        // at session level: for every section
  std::vector<Attribute> other_attributes;
  std::vector<FragmentMedia> media;

  // The credentials in force for a section: its own, else the session's (RFC 8839 §5.4
  // allows either level); nullptr when neither level has one.
  const std::string* UfragOf(const FragmentMedia& section) const;
  const std::string* PwdOf(const FragmentMedia& section) const;
  // Whether no more candidates will follow for `section` (its own flag or the session's).
  bool EndOfCandidates(const FragmentMedia& section) const {
    return end_of_candidates || section.end_of_candidates;
  }
  size_t CandidateCount() const;
  bool operator==(const SdpFragment&) const = default;
};

enum class SdpFragmentErrorKind : uint8_t {
  kTooLarge,         // body over kMaxSdpFragmentSize
  kLineTooLong,      // one line over kMaxSdpFragmentLineLength
  kBadLine,          // not `<letter>=<value>`, or a control character
  kNotFragmentLine,  // v=, o=, c=...: only a= and m= lines belong in a fragment
  kBadMedia,         // an m= line without a media token
  kBadAttribute,     // a known attribute whose value does not follow its grammar
  kDuplicate,        // ice-ufrag, ice-pwd or mid twice at one level, or a mid in two sections
  kMisplaced,        // a media-level attribute before any m= line, or the other way round
  kTooManyMediaSections,
  kTooManyCandidates,
  kCount
};
const char* ToString(SdpFragmentErrorKind kind);

struct SdpFragmentError {
  SdpFragmentErrorKind kind = SdpFragmentErrorKind::kBadLine;
  uint32_t line = 0;  // 1-based line number, 0 for body-level problems
  std::string message;
  // "line 3: a=ice-pwd given twice in the same section"
  std::string Describe() const;
};

// Accepts CRLF and LF line endings and blank lines.
base::Result<SdpFragment, SdpFragmentError> ParseSdpFragment(std::string_view text);

// CRLF lines: session attributes (ice-lite, ice-options, ice-ufrag, ice-pwd, groups,
// end-of-candidates, others), then each section (m=, mid, ice-ufrag, ice-pwd, candidates,
// end-of-candidates, others), so that ParseSdpFragment(SerializeSdpFragment(x)) == x for any
// x that was parsed. Values are written as held: the caller's own values must be valid.
std::string SerializeSdpFragment(const SdpFragment& fragment);

}  // namespace cascade::sdp
