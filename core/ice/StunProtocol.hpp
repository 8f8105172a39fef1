#pragma once
// STUN wire constants (RFC 8489 §5, §18.3; RFC 8445 §16.1) shared by the parser and the builder.
#include <cstddef>
#include <cstdint>

namespace cascade::ice {

inline constexpr uint32_t kStunMagicCookie = 0x2112A442;  // RFC 8489 §5
inline constexpr size_t kStunHeaderSize = 20;
inline constexpr size_t kStunTransactionIdSize = 12;
inline constexpr size_t kStunAttributeHeaderSize = 4;
inline constexpr size_t kStunMessageIntegritySize = 20;       // HMAC-SHA1, RFC 8489 §14.5
inline constexpr size_t kStunMessageIntegritySha256Min = 16;  // RFC 8489 §14.6 truncation floor
inline constexpr size_t kStunMessageIntegritySha256Max = 32;
inline constexpr uint32_t kStunFingerprintXor = 0x5354554E;  // "STUN", RFC 8489 §14.7

// The two class bits C1 C0 of the message type (RFC 8489 §5).
enum class StunClass : uint8_t { kRequest = 0, kIndication = 1, kSuccessResponse = 2, kErrorResponse = 3 };

const char* ToString(StunClass klass);

namespace stun_method {
inline constexpr uint16_t kBinding = 0x001;  // RFC 8489 §18.2, the only method ICE uses
}

// Attribute types (IANA "STUN Attributes" registry, RFC 8489 §18.3, RFC 8445 §16.1).
// 0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF comprehension-optional (§14).
namespace stun_attr {
inline constexpr uint16_t kMappedAddress = 0x0001;
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kUnknownAttributes = 0x000A;
inline constexpr uint16_t kRealm = 0x0014;
inline constexpr uint16_t kNonce = 0x0015;
inline constexpr uint16_t kMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kPasswordAlgorithm = 0x001D;
inline constexpr uint16_t kUserhash = 0x001E;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPriority = 0x0024;
inline constexpr uint16_t kUseCandidate = 0x0025;
inline constexpr uint16_t kPasswordAlgorithms = 0x8002;
inline constexpr uint16_t kAlternateDomain = 0x8003;
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kAlternateServer = 0x8023;
inline constexpr uint16_t kFingerprint = 0x8028;
inline constexpr uint16_t kIceControlled = 0x8029;
inline constexpr uint16_t kIceControlling = 0x802A;

inline constexpr bool IsComprehensionRequired(uint16_t type) { return type < 0x8000; }
}  // namespace stun_attr

// Error codes this server sends (RFC 8489 §14.8, RFC 8445 §7.3.1.1).
namespace stun_code {
inline constexpr uint16_t kTryAlternate = 300;
inline constexpr uint16_t kBadRequest = 400;
inline constexpr uint16_t kUnauthorized = 401;
inline constexpr uint16_t kUnknownAttribute = 420;
inline constexpr uint16_t kStaleNonce = 438;
inline constexpr uint16_t kRoleConflict = 487;
inline constexpr uint16_t kServerError = 500;

// The reason phrases suggested by RFC 8489 §14.8 / RFC 8445 §7.3.1.1; "" for other codes.
const char* DefaultReason(uint16_t code);
}  // namespace stun_code

}  // namespace cascade::ice
