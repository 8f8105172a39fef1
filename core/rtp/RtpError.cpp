#include "core/rtp/RtpError.hpp"

namespace cascade::rtp {

const char* ToString(RtpError error) {
  switch (error) {
    case RtpError::kTooShort: return "too_short";
    case RtpError::kTooLong: return "too_long";
    case RtpError::kBadVersion: return "bad_version";
    case RtpError::kCsrcOverrun: return "csrc_overrun";
    case RtpError::kExtensionOverrun: return "extension_overrun";
    case RtpError::kExtensionElementOverrun: return "extension_element_overrun";
    case RtpError::kTooManyExtensions: return "too_many_extensions";
    case RtpError::kPaddingZero: return "padding_zero";
    case RtpError::kPaddingOverrun: return "padding_overrun";
    case RtpError::kBufferTooSmall: return "buffer_too_small";
    case RtpError::kInvalidExtensionId: return "invalid_extension_id";
    case RtpError::kInvalidExtensionLength: return "invalid_extension_length";
    case RtpError::kRtxPayloadTooShort: return "rtx_payload_too_short";
    case RtpError::kInvalidField: return "invalid_field";
    case RtpError::kCount: break;
  }
  return "unknown";
}

}  // namespace cascade::rtp
