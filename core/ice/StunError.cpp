#include "core/ice/StunError.hpp"

namespace cascade::ice {

const char* ToString(StunError error) {
  switch (error) {
    case StunError::kTooShort: return "too_short";
    case StunError::kNotStun: return "not_stun";
    case StunError::kBadMagicCookie: return "bad_magic_cookie";
    case StunError::kUnalignedLength: return "unaligned_length";
    case StunError::kLengthMismatch: return "length_mismatch";
    case StunError::kAttributeOverrun: return "attribute_overrun";
    case StunError::kBadAttributeLength: return "bad_attribute_length";
    case StunError::kBadAddressFamily: return "bad_address_family";
    case StunError::kBadErrorCode: return "bad_error_code";
    case StunError::kFingerprintNotLast: return "fingerprint_not_last";
    case StunError::kFingerprintMissing: return "fingerprint_missing";
    case StunError::kFingerprintMismatch: return "fingerprint_mismatch";
    case StunError::kIntegrityMissing: return "integrity_missing";
    case StunError::kIntegrityMismatch: return "integrity_mismatch";
    case StunError::kBufferTooSmall: return "buffer_too_small";
    case StunError::kInvalidArgument: return "invalid_argument";
    case StunError::kCount: break;
  }
  return "unknown";
}

}  // namespace cascade::ice
