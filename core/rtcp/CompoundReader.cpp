#include "core/rtcp/CompoundReader.hpp"

#include "core/base/Bytes.hpp"

namespace cascade::rtcp {

bool CompoundReader::Next(RtcpPacket& out) {
  if (failed_ || offset_ == data_.size()) return false;
  size_t remaining = data_.size() - offset_;
  // RFC 3550 §A.2: the packet lengths must add up to the datagram; a tail shorter than a
  // header cannot.
  if (remaining < kHeaderSize) return Fail(RtcpError::kTruncated);
  const uint8_t* p = data_.data() + offset_;
  // RFC 3550 §A.2: version must be 2.
  if ((p[0] >> 6) != 2) return Fail(RtcpError::kBadVersion);
  // RFC 3550 §6.4.1: length is in 32-bit words minus one, header included.
  size_t size = (static_cast<size_t>(base::LoadBe16(p + 2)) + 1) * 4;
  if (size > remaining) return Fail(RtcpError::kLengthExceedsDatagram);
  bool padding = (p[0] & 0x20) != 0;
  std::span<const uint8_t> bytes = data_.subspan(offset_, size);
  std::span<const uint8_t> payload = bytes.subspan(kHeaderSize);
  if (padding) {
    // RFC 3550 §A.2: padding is only valid in the last packet of the compound.
    if (size != remaining) return Fail(RtcpError::kPaddingNotLast);
    // RFC 3550 §6.4.1: the last octet counts the padding octets, itself included.
    size_t pad = bytes[size - 1];
    if (pad == 0 || pad > payload.size()) return Fail(RtcpError::kBadPadding);
    payload = payload.first(payload.size() - pad);
  }
  out.count = p[0] & 0x1f;
  out.type = p[1];
  out.padding = padding;
  out.bytes = bytes;
  out.payload = payload;
  offset_ += size;
  return true;
}

base::Result<size_t, RtcpError> CompoundReader::Validate(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return base::Fail(RtcpError::kTruncated);
  CompoundReader reader(datagram);
  RtcpPacket packet;
  size_t count = 0;
  while (reader.Next(packet)) ++count;
  if (reader.failed()) return base::Fail(reader.error());
  return count;
}

}  // namespace cascade::rtcp
