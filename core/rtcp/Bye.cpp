#include "core/rtcp/Bye.hpp"

namespace cascade::rtcp {

base::Result<Bye, RtcpError> Bye::Parse(const RtcpPacket& packet) {
  if (packet.type != kPtBye) return base::Fail(RtcpError::kWrongPacketType);
  // RFC 3550 §6.6: SC 32-bit identifiers come first.
  size_t ids = static_cast<size_t>(packet.count) * 4;
  if (packet.payload.size() < ids) return base::Fail(RtcpError::kCountExceedsLength);
  std::optional<std::string_view> reason;
  std::span<const uint8_t> rest = packet.payload.subspan(ids);
  if (!rest.empty()) {
    // RFC 3550 §6.6: optional reason, an 8-bit length and that many octets of text.
    size_t len = rest[0];
    if (rest.size() - 1 < len) return base::Fail(RtcpError::kByeReasonTruncated);
    reason = std::string_view(reinterpret_cast<const char*>(rest.data() + 1), len);
  }
  return Bye(packet.payload, packet.count, reason);
}

base::Result<size_t, RtcpError> Bye::Build(std::span<const uint32_t> ssrcs,
                                           std::optional<std::string_view> reason, base::ByteWriter& out) {
  if (ssrcs.size() > kMaxCount || (reason && reason->size() > 255))
    return base::Fail(RtcpError::kInvalidArgument);
  size_t start = BeginPacket(out, static_cast<uint8_t>(ssrcs.size()), kPtBye);
  for (uint32_t ssrc : ssrcs) out.U32(ssrc);
  if (reason) {
    out.U8(static_cast<uint8_t>(reason->size()));
    out.Bytes({reinterpret_cast<const uint8_t*>(reason->data()), reason->size()});
  }
  // The reason is padded with null octets to a 32-bit boundary.
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
