#include "core/rtp/Rtx.hpp"

#include <cstring>

#include "core/base/Bytes.hpp"

namespace cascade::rtp {

namespace {

// Copies the header with P cleared and the identity fields replaced.
void WriteHeader(const RtpPacket& packet, uint32_t ssrc, uint8_t payload_type, uint16_t sequence_number,
                 uint8_t* out) {
  std::memcpy(out, packet.header().data(), packet.header_size());
  out[0] = static_cast<uint8_t>(out[0] & ~0x20);
  out[1] = static_cast<uint8_t>((out[1] & 0x80) | (payload_type & 0x7f));
  base::StoreBe16(out + 2, sequence_number);
  base::StoreBe32(out + 8, ssrc);
}

}  // namespace

base::Result<size_t, RtpError> WrapRtx(const RtpPacket& original, uint32_t rtx_ssrc, uint8_t rtx_payload_type,
                                       uint16_t rtx_sequence_number, std::span<uint8_t> out) {
  if (rtx_payload_type > 127) return base::Fail(RtpError::kInvalidField);
  const size_t size = original.header_size() + 2 + original.payload_size();
  if (size > RtpPacket::kMaxSize) return base::Fail(RtpError::kTooLong);
  if (out.size() < size) return base::Fail(RtpError::kBufferTooSmall);
  WriteHeader(original, rtx_ssrc, rtx_payload_type, rtx_sequence_number, out.data());
  // RFC 4588 §4: the OSN precedes the original payload.
  base::StoreBe16(&out[original.header_size()], original.sequence_number());
  if (original.payload_size() > 0)
    std::memcpy(&out[original.header_size() + 2], original.payload().data(), original.payload_size());
  return size;
}

base::Result<size_t, RtpError> UnwrapRtx(const RtpPacket& rtx, uint32_t original_ssrc,
                                         uint8_t original_payload_type, std::span<uint8_t> out) {
  if (original_payload_type > 127) return base::Fail(RtpError::kInvalidField);
  // RFC 4588 §4: an RTX payload starts with the 2-byte OSN. (An RTX packet that is only
  // padding, sent for bandwidth probing, has no original to restore.)
  if (rtx.payload_size() < 2) return base::Fail(RtpError::kRtxPayloadTooShort);
  const size_t size = rtx.header_size() + rtx.payload_size() - 2;
  if (out.size() < size) return base::Fail(RtpError::kBufferTooSmall);
  const uint16_t osn = base::LoadBe16(rtx.payload().data());
  WriteHeader(rtx, original_ssrc, original_payload_type, osn, out.data());
  if (rtx.payload_size() > 2)
    std::memcpy(&out[rtx.header_size()], rtx.payload().data() + 2, rtx.payload_size() - 2);
  return size;
}

}  // namespace cascade::rtp
