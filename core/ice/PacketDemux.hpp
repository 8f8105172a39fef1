#pragma once
// First-byte classification of every datagram arriving on the shared ICE port, before any
// parser sees it (RFC 7983 §7, updating RFC 5764 §5.1.2), and the RTP/RTCP split of RFC 5761 §4.
#include <cstdint>
#include <span>

namespace cascade::ice {

enum class PacketKind : uint8_t {
  kStun,         // 0-3
  kZrtp,         // 16-19
  kDtls,         // 20-63
  kTurnChannel,  // 64-79
  kRtp,          // 128-191, second byte not an RTCP packet type
  kRtcp,         // 128-191, second byte 192-223
  kUnknown,      // empty, or any other first byte: RFC 7983 §7 says drop it
  kCount
};

const char* ToString(PacketKind kind);

class PacketDemux {
 public:
  // Constant time, reads at most two bytes; says nothing about whether the packet is valid.
  static PacketKind Classify(std::span<const uint8_t> packet);
};

}  // namespace cascade::ice
