#include "core/rtcp/ReceiverReport.hpp"

namespace cascade::rtcp {

base::Result<ReceiverReport, RtcpError> ReceiverReport::Parse(const RtcpPacket& packet) {
  if (packet.type != kPtRr) return base::Fail(RtcpError::kWrongPacketType);
  // RFC 3550 §6.4.2: the reporter's SSRC, then RC report blocks, then any extension.
  if (packet.payload.size() < kFixedSize) return base::Fail(RtcpError::kPacketTooShort);
  if (packet.payload.size() < kFixedSize + packet.count * ReportBlock::kSize) {
    return base::Fail(RtcpError::kCountExceedsLength);
  }
  return ReceiverReport(packet.payload, packet.count);
}

base::Result<size_t, RtcpError> ReceiverReport::Build(const Fields& fields, base::ByteWriter& out) {
  if (fields.reports.size() > kMaxCount || fields.extension.size() % 4 != 0) {
    return base::Fail(RtcpError::kInvalidArgument);
  }
  size_t start = BeginPacket(out, static_cast<uint8_t>(fields.reports.size()), kPtRr);
  out.U32(fields.sender_ssrc);
  for (const ReportBlock& block : fields.reports) block.Write(out);
  out.Bytes(fields.extension);
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
