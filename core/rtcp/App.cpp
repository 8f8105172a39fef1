#include "core/rtcp/App.hpp"

namespace cascade::rtcp {

base::Result<App, RtcpError> App::Parse(const RtcpPacket& packet) {
  if (packet.type != kPtApp) return base::Fail(RtcpError::kWrongPacketType);
  // RFC 3550 §6.7: SSRC and name are mandatory.
  if (packet.payload.size() < kFixedSize) return base::Fail(RtcpError::kPacketTooShort);
  return App(packet.payload, packet.count);
}

base::Result<size_t, RtcpError> App::Build(uint8_t subtype, uint32_t ssrc, std::string_view name,
                                           std::span<const uint8_t> data, base::ByteWriter& out) {
  if (subtype > kMaxCount || name.size() != 4) return base::Fail(RtcpError::kInvalidArgument);
  size_t start = BeginPacket(out, subtype, kPtApp);
  out.U32(ssrc);
  out.Bytes({reinterpret_cast<const uint8_t*>(name.data()), 4});
  out.Bytes(data);
  return FinishPacket(out, start, /*padding_bit=*/true);
}

}  // namespace cascade::rtcp
