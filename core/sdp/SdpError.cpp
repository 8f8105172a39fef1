#include "core/sdp/SdpError.hpp"

namespace cascade::sdp {

const char* ToString(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::kTooLarge: return "too_large";
    case ParseErrorKind::kLineTooLong: return "line_too_long";
    case ParseErrorKind::kBadLine: return "bad_line";
    case ParseErrorKind::kMissingVersion: return "missing_version";
    case ParseErrorKind::kBadVersion: return "bad_version";
    case ParseErrorKind::kMissingOrigin: return "missing_origin";
    case ParseErrorKind::kBadOrigin: return "bad_origin";
    case ParseErrorKind::kMissingSessionName: return "missing_session_name";
    case ParseErrorKind::kBadTiming: return "bad_timing";
    case ParseErrorKind::kBadConnection: return "bad_connection";
    case ParseErrorKind::kBadBandwidth: return "bad_bandwidth";
    case ParseErrorKind::kBadMedia: return "bad_media";
    case ParseErrorKind::kBadAttribute: return "bad_attribute";
    case ParseErrorKind::kOutOfRange: return "out_of_range";
    case ParseErrorKind::kDuplicate: return "duplicate";
    case ParseErrorKind::kMisplaced: return "misplaced";
    case ParseErrorKind::kTooManyMediaSections: return "too_many_media_sections";
    case ParseErrorKind::kCount: break;
  }
  return "unknown";
}

std::string ParseError::Describe() const {
  if (line == 0) return message;
  return "line " + std::to_string(line) + ": " + message;
}

const char* ToString(NegotiationErrorKind kind) {
  switch (kind) {
    case NegotiationErrorKind::kNoMediaSections: return "no_media_sections";
    case NegotiationErrorKind::kMissingMid: return "missing_mid";
    case NegotiationErrorKind::kDuplicateMid: return "duplicate_mid";
    case NegotiationErrorKind::kMissingBundle: return "missing_bundle";
    case NegotiationErrorKind::kMissingRtcpMux: return "missing_rtcp_mux";
    case NegotiationErrorKind::kMissingFingerprint: return "missing_fingerprint";
    case NegotiationErrorKind::kMissingIceCredentials: return "missing_ice_credentials";
    case NegotiationErrorKind::kBadSetup: return "bad_setup";
    case NegotiationErrorKind::kNoSupportedCodec: return "no_supported_codec";
    case NegotiationErrorKind::kNoUsableMedia: return "no_usable_media";
    case NegotiationErrorKind::kBadOptions: return "bad_options";
    case NegotiationErrorKind::kCount: break;
  }
  return "unknown";
}

}  // namespace cascade::sdp
