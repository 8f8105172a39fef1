#pragma once
// Typed errors of the RTP layer: every rejected packet is counted by kind with
// base::EnumCounters<RtpError> instead of being logged one by one.
#include <cstdint>

namespace cascade::rtp {

enum class RtpError : uint8_t {
  kTooShort,                 // fewer than the 12 fixed header bytes (RFC 3550 §5.1)
  kTooLong,                  // larger than any UDP datagram (offsets are 16-bit)
  kBadVersion,               // V != 2
  kCsrcOverrun,              // CC says more CSRCs than the packet holds
  kExtensionOverrun,         // X=1 but the extension header or its length passes the end
  kExtensionElementOverrun,  // an RFC 8285 element length passes the end of the block
  kTooManyExtensions,        // more RFC 8285 elements than RtpPacket::kMaxExtensions
  kPaddingZero,              // P=1 with a padding count of 0 (the count includes itself)
  kPaddingOverrun,           // padding count larger than what follows the header
  kBufferTooSmall,           // caller's output buffer cannot hold the result
  kInvalidExtensionId,       // id not representable in the chosen RFC 8285 form
  kInvalidExtensionLength,   // element length not representable in the chosen form
  kRtxPayloadTooShort,       // RTX payload without the 2-byte OSN (RFC 4588 §4)
  kInvalidField,             // builder field out of range (PT > 127, > 15 CSRCs, padding > 255)
  kCount,
};

const char* ToString(RtpError error);

}  // namespace cascade::rtp
