#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

const char* ToString(PacketKind kind) {
  switch (kind) {
    case PacketKind::kSenderReport: return "sr";
    case PacketKind::kReceiverReport: return "rr";
    case PacketKind::kSdes: return "sdes";
    case PacketKind::kBye: return "bye";
    case PacketKind::kApp: return "app";
    case PacketKind::kNack: return "nack";
    case PacketKind::kTransportCc: return "transport_cc";
    case PacketKind::kOtherRtpfb: return "other_rtpfb";
    case PacketKind::kPli: return "pli";
    case PacketKind::kFir: return "fir";
    case PacketKind::kRemb: return "remb";
    case PacketKind::kOtherPsfb: return "other_psfb";
    case PacketKind::kXr: return "xr";
    case PacketKind::kUnknown: return "unknown";
    case PacketKind::kCount: break;
  }
  return "unknown";
}

PacketKind RtcpPacket::Kind() const {
  switch (type) {
    case kPtSr: return PacketKind::kSenderReport;
    case kPtRr: return PacketKind::kReceiverReport;
    case kPtSdes: return PacketKind::kSdes;
    case kPtBye: return PacketKind::kBye;
    case kPtApp: return PacketKind::kApp;
    case kPtXr: return PacketKind::kXr;
    case kPtRtpfb:
      if (count == kFmtNack) return PacketKind::kNack;
      if (count == kFmtTcc) return PacketKind::kTransportCc;
      return PacketKind::kOtherRtpfb;
    case kPtPsfb:
      if (count == kFmtPli) return PacketKind::kPli;
      if (count == kFmtFir) return PacketKind::kFir;
      // REMB is the only application layer feedback we know; it names itself in the FCI.
      if (count == kFmtAfb && payload.size() >= 12 && payload[8] == 'R' && payload[9] == 'E' &&
          payload[10] == 'M' && payload[11] == 'B') {
        return PacketKind::kRemb;
      }
      return PacketKind::kOtherPsfb;
    default: return PacketKind::kUnknown;
  }
}

size_t BeginPacket(base::ByteWriter& out, uint8_t count, uint8_t type) {
  size_t start = out.size();
  out.U8(static_cast<uint8_t>(0x80 | (count & 0x1f)));
  out.U8(type);
  out.U16(0);
  return start;
}

base::Result<size_t, RtcpError> FinishPacket(base::ByteWriter& out, size_t start, bool padding_bit) {
  if (!out.ok()) return base::Fail(RtcpError::kBufferTooSmall);
  size_t body = out.size() - start;
  size_t pad = (4 - body % 4) % 4;
  if (pad > 0) {
    if (padding_bit) {
      // RFC 3550 §6.4.1: the last padding octet counts the padding, itself included.
      out.Zeros(pad - 1);
      out.U8(static_cast<uint8_t>(pad));
    } else {
      out.Zeros(pad);
    }
  }
  if (!out.ok()) return base::Fail(RtcpError::kBufferTooSmall);
  size_t size = out.size() - start;
  if (size / 4 - 1 > 0xffff) return base::Fail(RtcpError::kInvalidArgument);
  uint8_t* p = out.written().data() + start;
  if (pad > 0 && padding_bit) p[0] |= 0x20;
  base::StoreBe16(p + 2, static_cast<uint16_t>(size / 4 - 1));
  return size;
}

}  // namespace cascade::rtcp
