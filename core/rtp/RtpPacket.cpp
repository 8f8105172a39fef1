#include "core/rtp/RtpPacket.hpp"

#include <cassert>
#include <cstring>

#include "core/base/Bytes.hpp"

namespace cascade::rtp {

using base::Fail;

base::Result<RtpPacket, RtpError> RtpPacket::Parse(std::span<uint8_t> buffer) {
  // RFC 3550 §5.1: the fixed header is 12 bytes.
  if (buffer.size() < kFixedHeaderSize) return Fail(RtpError::kTooShort);
  if (buffer.size() > kMaxSize) return Fail(RtpError::kTooLong);
  // RFC 3550 §5.1: V is 2; RFC 7983 demultiplexing relies on it as well.
  if ((buffer[0] >> 6) != 2) return Fail(RtpError::kBadVersion);

  RtpPacket packet;
  packet.data_ = buffer;
  const size_t size = buffer.size();

  // RFC 3550 §5.1: CC 32-bit CSRC identifiers follow the fixed header.
  size_t offset = kFixedHeaderSize + 4 * static_cast<size_t>(buffer[0] & 0x0f);
  if (offset > size) return Fail(RtpError::kCsrcOverrun);

  // RFC 3550 §5.3.1: X=1 adds a 4-byte header (profile, length in 32-bit words) and the block.
  if ((buffer[0] & 0x10) != 0) {
    if (size - offset < 4) return Fail(RtpError::kExtensionOverrun);
    const uint16_t profile = base::LoadBe16(&buffer[offset]);
    const size_t block_size = 4 * static_cast<size_t>(base::LoadBe16(&buffer[offset + 2]));
    const size_t block_offset = offset + 4;
    if (size - block_offset < block_size) return Fail(RtpError::kExtensionOverrun);
    packet.extension_header_offset_ = static_cast<uint16_t>(offset);
    packet.extension_block_size_ = static_cast<uint16_t>(block_size);
    if (profile == kOneByteProfile) {
      packet.form_ = ExtensionForm::kOneByte;
      auto indexed = packet.IndexOneByte(block_offset, block_size);
      if (!indexed) return Fail(indexed.error());
    } else if ((profile & 0xfff0) == kTwoByteProfile) {
      packet.form_ = ExtensionForm::kTwoByte;
      auto indexed = packet.IndexTwoByte(block_offset, block_size);
      if (!indexed) return Fail(indexed.error());
    } else {
      packet.form_ = ExtensionForm::kOpaque;
    }
    offset = block_offset + block_size;
  }
  packet.header_size_ = static_cast<uint16_t>(offset);

  // RFC 3550 §5.1: with P=1 the last byte counts the padding bytes, itself included, so it
  // cannot be 0 and cannot reach back into the header.
  if ((buffer[0] & 0x20) != 0) {
    if (offset == size) return Fail(RtpError::kPaddingOverrun);
    const uint8_t padding = buffer[size - 1];
    if (padding == 0) return Fail(RtpError::kPaddingZero);
    if (padding > size - offset) return Fail(RtpError::kPaddingOverrun);
    packet.padding_size_ = padding;
  }
  return packet;
}

base::Result<size_t, RtpError> RtpPacket::IndexOneByte(size_t block_offset, size_t block_size) {
  size_t i = 0;
  while (i < block_size) {
    const uint8_t byte = data_[block_offset + i];
    // RFC 8285 §4.1: a zero byte is padding and carries neither id nor length.
    if (byte == 0) {
      ++i;
      continue;
    }
    const uint8_t id = byte >> 4;
    const size_t length = static_cast<size_t>(byte & 0x0f) + 1;  // RFC 8285 §4.2: L is length-1
    // RFC 8285 §4.2: id 15 is reserved; processing of the whole block stops there. Id 0 with
    // a non-zero length is not padding and not a valid id either: libwebrtc and pion stop too.
    if (id == 15 || id == 0) break;
    if (block_size - i - 1 < length) return Fail(RtpError::kExtensionElementOverrun);
    if (extension_count_ == kMaxExtensions) return Fail(RtpError::kTooManyExtensions);
    extensions_[extension_count_++] =
        ExtensionElement{static_cast<uint16_t>(block_offset + i + 1), id, static_cast<uint8_t>(length)};
    i += 1 + length;
  }
  return extension_count_;
}

base::Result<size_t, RtpError> RtpPacket::IndexTwoByte(size_t block_offset, size_t block_size) {
  size_t i = 0;
  while (i < block_size) {
    const uint8_t id = data_[block_offset + i];
    // RFC 8285 §4.1: a zero byte is padding.
    if (id == 0) {
      ++i;
      continue;
    }
    // RFC 8285 §4.3: an 8-bit id, an 8-bit length (0 allowed) and the value.
    if (block_size - i < 2) return Fail(RtpError::kExtensionElementOverrun);
    const size_t length = data_[block_offset + i + 1];
    if (block_size - i - 2 < length) return Fail(RtpError::kExtensionElementOverrun);
    if (extension_count_ == kMaxExtensions) return Fail(RtpError::kTooManyExtensions);
    extensions_[extension_count_++] =
        ExtensionElement{static_cast<uint16_t>(block_offset + i + 2), id, static_cast<uint8_t>(length)};
    i += 2 + length;
  }
  return extension_count_;
}

uint16_t RtpPacket::sequence_number() const { return base::LoadBe16(&data_[2]); }
uint32_t RtpPacket::timestamp() const { return base::LoadBe32(&data_[4]); }
uint32_t RtpPacket::ssrc() const { return base::LoadBe32(&data_[8]); }

uint32_t RtpPacket::csrc(size_t index) const {
  assert(index < csrc_count());
  return base::LoadBe32(&data_[kFixedHeaderSize + 4 * index]);
}

uint16_t RtpPacket::extension_profile() const {
  return form_ == ExtensionForm::kNone ? 0 : base::LoadBe16(&data_[extension_header_offset_]);
}

std::span<const uint8_t> RtpPacket::extension_block() const {
  if (form_ == ExtensionForm::kNone) return {};
  return std::span<const uint8_t>(data_).subspan(extension_header_offset_ + 4u, extension_block_size_);
}

const ExtensionElement* RtpPacket::Find(uint8_t id) const {
  for (size_t i = 0; i < extension_count_; ++i) {
    if (extensions_[i].id == id) return &extensions_[i];
  }
  return nullptr;
}

std::span<const uint8_t> RtpPacket::FindExtension(uint8_t id) const {
  const ExtensionElement* element = Find(id);
  return element ? ValueOf(*element) : std::span<const uint8_t>{};
}

std::span<uint8_t> RtpPacket::FindMutableExtension(uint8_t id) {
  const ExtensionElement* element = Find(id);
  return element ? data_.subspan(element->offset, element->length) : std::span<uint8_t>{};
}

void RtpPacket::SetPayloadType(uint8_t payload_type) {
  assert(payload_type < 128);
  data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | (payload_type & 0x7f));
}

void RtpPacket::SetMarker(bool marker) {
  data_[1] = static_cast<uint8_t>((data_[1] & 0x7f) | (marker ? 0x80 : 0));
}

void RtpPacket::SetSequenceNumber(uint16_t sequence_number) { base::StoreBe16(&data_[2], sequence_number); }
void RtpPacket::SetTimestamp(uint32_t timestamp) { base::StoreBe32(&data_[4], timestamp); }
void RtpPacket::SetSsrc(uint32_t ssrc) { base::StoreBe32(&data_[8], ssrc); }

base::Result<size_t, RtpError> RtpPacket::RemapExtensionIds(const std::array<uint8_t, 256>& map) {
  if (form_ != ExtensionForm::kOneByte && form_ != ExtensionForm::kTwoByte) return size_t{0};
  const bool one_byte = form_ == ExtensionForm::kOneByte;
  // Validate before writing so that a failure leaves the packet as it was.
  if (one_byte) {
    for (size_t i = 0; i < extension_count_; ++i) {
      if (map[extensions_[i].id] > kOneByteMaxId) return Fail(RtpError::kInvalidExtensionId);
    }
  }
  const size_t element_header = one_byte ? 1 : 2;
  size_t kept = 0;
  for (size_t i = 0; i < extension_count_; ++i) {
    ExtensionElement element = extensions_[i];
    const uint8_t to = map[element.id];
    uint8_t* head = &data_[element.offset - element_header];
    if (to == 0) {
      // RFC 8285 §4.1: zero bytes are padding wherever they appear between elements.
      std::memset(head, 0, element_header + element.length);
      continue;
    }
    head[0] = one_byte ? static_cast<uint8_t>((to << 4) | (element.length - 1)) : to;
    element.id = to;
    extensions_[kept++] = element;
  }
  extension_count_ = static_cast<uint8_t>(kept);
  return kept;
}

std::optional<RtpPacket> RtpPacket::CopyTo(std::span<uint8_t> out) const {
  if (out.size() < data_.size()) return std::nullopt;
  std::memcpy(out.data(), data_.data(), data_.size());
  RtpPacket copy = *this;
  copy.data_ = out.first(data_.size());
  return copy;
}

}  // namespace cascade::rtp
