#include "core/ice/PacketDemux.hpp"

namespace cascade::ice {

const char* ToString(PacketKind kind) {
  switch (kind) {
    case PacketKind::kStun: return "stun";
    case PacketKind::kZrtp: return "zrtp";
    case PacketKind::kDtls: return "dtls";
    case PacketKind::kTurnChannel: return "turn_channel";
    case PacketKind::kRtp: return "rtp";
    case PacketKind::kRtcp: return "rtcp";
    case PacketKind::kUnknown: return "unknown";
    case PacketKind::kCount: break;
  }
  return "unknown";
}

// RFC 7983 §7, Figure 3 ("The DTLS-SRTP receiver's packet demultiplexing algorithm"):
//
//                  +----------------+
//                  |        [0..3] -+--> forward to STUN
//                  |                |
//                  |      [16..19] -+--> forward to ZRTP
//                  |                |
//      packet -->  |      [20..63] -+--> forward to DTLS
//                  |                |
//                  |      [64..79] -+--> forward to TURN Channel
//                  |                |
//                  |    [128..191] -+--> forward to RTP/RTCP
//                  +----------------+
//
// "If the value does not match any known range, then the packet MUST be dropped and an alert
// MAY be logged." Ranges 4-15, 80-127 and 192-255 are unassigned (RFC 9443 later gives 80-127
// to QUIC, which WebRTC peers do not send here).
//
// RTP and RTCP share the port (rtcp-mux, RFC 5761 §4): the second byte of RTCP is its packet
// type, 192-223 for every type in use (SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205,
// PSFB 206, XR 207, ...); for RTP it is M + payload type, and §4 forbids RTP payload types
// 64-95 so that M=1 with those types (192-223) never collides.
PacketKind PacketDemux::Classify(std::span<const uint8_t> packet) {
  if (packet.empty()) return PacketKind::kUnknown;
  const uint8_t b = packet[0];
  if (b <= 3) return PacketKind::kStun;
  if (b >= 16 && b <= 19) return PacketKind::kZrtp;
  if (b >= 20 && b <= 63) return PacketKind::kDtls;
  if (b >= 64 && b <= 79) return PacketKind::kTurnChannel;
  if (b >= 128 && b <= 191) {
    if (packet.size() < 2) return PacketKind::kUnknown;
    const uint8_t second = packet[1];
    return (second >= 192 && second <= 223) ? PacketKind::kRtcp : PacketKind::kRtp;
  }
  return PacketKind::kUnknown;
}

}  // namespace cascade::ice
