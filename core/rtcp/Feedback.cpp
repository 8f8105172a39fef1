#include "core/rtcp/Feedback.hpp"

namespace cascade::rtcp {

base::Result<Feedback, RtcpError> Feedback::Parse(const RtcpPacket& packet, uint8_t type, uint8_t fmt) {
  if (packet.type != type) return base::Fail(RtcpError::kWrongPacketType);
  if (packet.count != fmt) return base::Fail(RtcpError::kWrongFormat);
  // RFC 4585 §6.1: both SSRCs are always present (length >= 2).
  if (packet.payload.size() < kFixedSize) return base::Fail(RtcpError::kPacketTooShort);
  return Feedback(packet.payload);
}

size_t Feedback::Begin(uint8_t type, uint8_t fmt, uint32_t sender_ssrc, uint32_t media_ssrc,
                       base::ByteWriter& out) {
  size_t start = BeginPacket(out, fmt, type);
  out.U32(sender_ssrc);
  out.U32(media_ssrc);
  return start;
}

base::Result<size_t, RtcpError> Feedback::Build(uint8_t type, uint8_t fmt, uint32_t sender_ssrc,
                                                uint32_t media_ssrc, std::span<const uint8_t> fci,
                                                base::ByteWriter& out) {
  if (fmt > kMaxCount || fci.size() % 4 != 0) return base::Fail(RtcpError::kInvalidArgument);
  size_t start = Begin(type, fmt, sender_ssrc, media_ssrc, out);
  out.Bytes(fci);
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
