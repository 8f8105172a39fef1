#include "core/rtcp/SenderReport.hpp"

namespace cascade::rtcp {

base::Result<SenderReport, RtcpError> SenderReport::Parse(const RtcpPacket& packet) {
  if (packet.type != kPtSr) return base::Fail(RtcpError::kWrongPacketType);
  // RFC 3550 §6.4.1: SSRC and the 20-byte sender info precede the report blocks.
  if (packet.payload.size() < kFixedSize) return base::Fail(RtcpError::kPacketTooShort);
  // RFC 3550 §6.4.1: RC report blocks follow; anything after them is a profile extension.
  if (packet.payload.size() < kFixedSize + packet.count * ReportBlock::kSize) {
    return base::Fail(RtcpError::kCountExceedsLength);
  }
  return SenderReport(packet.payload, packet.count);
}

base::Result<size_t, RtcpError> SenderReport::Build(const Fields& fields, base::ByteWriter& out) {
  if (fields.reports.size() > kMaxCount || fields.extension.size() % 4 != 0) {
    return base::Fail(RtcpError::kInvalidArgument);
  }
  size_t start = BeginPacket(out, static_cast<uint8_t>(fields.reports.size()), kPtSr);
  out.U32(fields.sender_ssrc);
  out.U64(fields.ntp_timestamp);
  out.U32(fields.rtp_timestamp);
  out.U32(fields.packet_count);
  out.U32(fields.octet_count);
  for (const ReportBlock& block : fields.reports) block.Write(out);
  out.Bytes(fields.extension);
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
