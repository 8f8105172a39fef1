#pragma once
// Every way a STUN message can be rejected, counted per kind with base::EnumCounters<StunError>.
#include <cstdint>

namespace cascade::ice {

enum class StunError : uint8_t {
  kTooShort,             // fewer than the 20-byte header (RFC 8489 §5)
  kNotStun,              // the two most significant bits are not zero (§5)
  kBadMagicCookie,       // bytes 4-7 are not 0x2112A442 (§5)
  kUnalignedLength,      // message length not a multiple of 4 (§5)
  kLengthMismatch,       // 20 + message length != datagram size (§6.3)
  kAttributeOverrun,     // an attribute header or value (with padding) passes the end (§14)
  kBadAttributeLength,   // a fixed-size attribute with the wrong length (§14.x)
  kBadAddressFamily,     // (XOR-)MAPPED-ADDRESS family not 0x01/0x02 or wrong length (§14.1)
  kBadErrorCode,         // ERROR-CODE class outside 3-6 or number above 99 (§14.8)
  kFingerprintNotLast,   // an attribute follows FINGERPRINT (§14.7)
  kFingerprintMissing,   // the caller required FINGERPRINT and there is none
  kFingerprintMismatch,  // CRC-32 xor 0x5354554e does not match (§14.7)
  kIntegrityMissing,     // no MESSAGE-INTEGRITY(-SHA256) to verify (§9.1.3)
  kIntegrityMismatch,    // HMAC does not match: wrong key or altered message (§9.1.3)
  kBufferTooSmall,       // builder: the caller's buffer cannot hold the message
  kInvalidArgument,      // builder: an attribute value too long for its field
  kCount
};

const char* ToString(StunError error);

}  // namespace cascade::ice
