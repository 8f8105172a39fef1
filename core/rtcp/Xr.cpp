#include "core/rtcp/Xr.hpp"

namespace cascade::rtcp {

bool Xr::BlockReader::Next(XrBlock& out) {
  if (blocks_.size() - offset_ < 4) return false;
  const uint8_t* p = blocks_.data() + offset_;
  size_t len = static_cast<size_t>(base::LoadBe16(p + 2)) * 4;
  if (blocks_.size() - offset_ - 4 < len) return false;
  out.type = p[0];
  out.type_specific = p[1];
  out.body = blocks_.subspan(offset_ + 4, len);
  offset_ += 4 + len;
  return true;
}

base::Result<Xr, RtcpError> Xr::Parse(const RtcpPacket& packet) {
  if (packet.type != kPtXr) return base::Fail(RtcpError::kWrongPacketType);
  // RFC 3611 §2: SSRC of the packet originator.
  if (packet.payload.size() < 4) return base::Fail(RtcpError::kPacketTooShort);
  std::span<const uint8_t> blocks = packet.payload.subspan(4);
  size_t offset = 0;
  while (offset < blocks.size()) {
    // RFC 3611 §3: every block has a 4-byte header and `block length` 32-bit words.
    if (blocks.size() - offset < 4) return base::Fail(RtcpError::kXrBlockTruncated);
    const uint8_t* p = blocks.data() + offset;
    size_t len = static_cast<size_t>(base::LoadBe16(p + 2)) * 4;
    if (blocks.size() - offset - 4 < len) return base::Fail(RtcpError::kXrBlockTruncated);
    // RFC 3611 §4.4: RRTR block length is 2; §4.5: DLRR is 3 words per sub-block.
    if (p[0] == kRrtr && len != 8) return base::Fail(RtcpError::kXrBadBlock);
    if (p[0] == kDlrr && len % kDlrrItemSize != 0) return base::Fail(RtcpError::kXrBadBlock);
    offset += 4 + len;
  }
  return Xr(packet.payload);
}

base::Result<size_t, RtcpError> Xr::Build(uint32_t sender_ssrc, std::span<const XrBlock> blocks,
                                          base::ByteWriter& out) {
  size_t start = BeginPacket(out, 0, kPtXr);
  out.U32(sender_ssrc);
  for (const XrBlock& block : blocks) {
    if (block.body.size() % 4 != 0 || block.body.size() / 4 > 0xffff) {
      return base::Fail(RtcpError::kInvalidArgument);
    }
    out.U8(block.type);
    out.U8(block.type_specific);
    out.U16(static_cast<uint16_t>(block.body.size() / 4));
    out.Bytes(block.body);
  }
  return FinishPacket(out, start);
}

base::Result<size_t, RtcpError> Xr::BuildRrtrDlrr(uint32_t sender_ssrc, std::optional<uint64_t> rrtr_ntp,
                                                  std::span<const DlrrItem> dlrr, base::ByteWriter& out) {
  if (dlrr.size() * 3 > 0xffff) return base::Fail(RtcpError::kInvalidArgument);
  size_t start = BeginPacket(out, 0, kPtXr);
  out.U32(sender_ssrc);
  if (rrtr_ntp) {
    out.U8(kRrtr);
    out.U8(0);
    out.U16(2);
    out.U64(*rrtr_ntp);
  }
  if (!dlrr.empty()) {
    out.U8(kDlrr);
    out.U8(0);
    out.U16(static_cast<uint16_t>(dlrr.size() * 3));
    for (const DlrrItem& item : dlrr) {
      out.U32(item.ssrc);
      out.U32(item.last_rr);
      out.U32(item.delay_since_rr);
    }
  }
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
