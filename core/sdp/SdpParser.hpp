#pragma once
// Parses an SDP offer or answer (RFC 8866) into a SessionDescription. The input comes from
// a browser through WHIP/WHEP: every field is bounds- and range-checked, malformed lines
// give a ParseError naming the line, unknown attributes and lines are kept. Accepts CRLF
// and LF line endings.
#include <cstddef>
#include <string_view>

#include "core/base/Result.hpp"
#include "core/sdp/SdpError.hpp"
#include "core/sdp/SessionDescription.hpp"

namespace cascade::sdp {

// Browser offers are a few kB; 256 kB leaves room for dozens of transceivers.
inline constexpr size_t kMaxSdpSize = 256 * 1024;
// Longest line in browser SDP is a candidate or fingerprint (< 300 bytes).
inline constexpr size_t kMaxLineLength = 4096;
inline constexpr size_t kMaxMediaSections = 128;

base::Result<SessionDescription, ParseError> ParseSdp(std::string_view text);

}  // namespace cascade::sdp
