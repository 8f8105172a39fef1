#pragma once
// Every way an RTCP packet can fail to parse or build, so that callers count each kind with
// base::EnumCounters<RtcpError> instead of logging per packet.
#include <cstdint>

namespace cascade::rtcp {

enum class RtcpError : uint8_t {
  kTruncated,              // fewer than 4 bytes left for a common header (or empty datagram)
  kBadVersion,             // RFC 3550 §A.2: version must be 2
  kLengthExceedsDatagram,  // RFC 3550 §A.2: length field points past the datagram
  kPaddingNotLast,         // RFC 3550 §A.2: only the last packet of a compound may be padded
  kBadPadding,             // RFC 3550 §6.4.1: padding count 0 or larger than the packet body
  kWrongPacketType,        // typed parser given another packet type
  kWrongFormat,            // feedback FMT not the one this parser handles
  kPacketTooShort,         // body shorter than the fixed part of its type
  kCountExceedsLength,     // RC/SC count needs more bytes than the packet has
  kSdesChunkTruncated,     // RFC 3550 §6.5: chunk SSRC missing
  kSdesItemTruncated,      // item length runs past the packet
  kSdesMissingTerminator,  // RFC 3550 §6.5: chunk not ended by a null octet (and padding)
  kByeReasonTruncated,     // RFC 3550 §6.6: reason length runs past the packet
  kFciLength,              // FCI size not a whole number of entries for this FMT
  kRembBadIdentifier,      // draft-alvestrand-rmcat-remb §2.2: unique identifier not 'REMB'
  kRembSsrcCountMismatch,  // Num SSRC disagrees with the FCI length
  kTccChunksTruncated,     // transport-cc: chunks end before packet status count is covered
  kTccReservedSymbol,      // transport-cc: status symbol 11 is reserved
  kTccDeltasTruncated,     // transport-cc: receive deltas run past the packet
  kXrBlockTruncated,       // RFC 3611 §3: block length runs past the packet
  kXrBadBlock,             // RFC 3611 §4.4/§4.5: RRTR/DLRR block of a wrong length
  kBufferTooSmall,         // builder: caller buffer too small
  kInvalidArgument,        // builder: input not representable (too many items, unsorted...)
  kCount
};

const char* ToString(RtcpError error);

}  // namespace cascade::rtcp
