#pragma once
// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320) as used by the STUN
// FINGERPRINT attribute (RFC 8489 §14.7). Table driven, slicing-by-8: the FINGERPRINT of every
// packet from the internet is checked before anything else, so this runs per packet.
#include <cstdint>
#include <span>

namespace cascade::ice {

// CRC-32 of `data`; pass a previous result as `crc` to continue over a second chunk
// (StunCrc32(b, StunCrc32(a)) == StunCrc32(a||b)).
uint32_t StunCrc32(std::span<const uint8_t> data, uint32_t crc = 0);

}  // namespace cascade::ice
