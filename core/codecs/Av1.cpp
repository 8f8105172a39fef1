#include "core/codecs/Av1.hpp"

namespace cascade::codecs {

namespace {

// AV1 §4.10.5 leb128(): up to 8 bytes, 7 bits each; returns false when truncated.
bool ReadLeb128(std::span<const uint8_t> data, size_t& offset, uint64_t& value) {
  value = 0;
  for (size_t i = 0; i < 8; ++i) {
    if (offset >= data.size()) return false;
    const uint8_t byte = data[offset++];
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return true;
  }
  return false;  // AV1 §4.10.5: at most 8 bytes
}

}  // namespace

base::Result<PayloadInfo, CodecError> InspectAv1(std::span<const uint8_t> payload) {
  if (payload.empty()) return base::Fail(CodecError::kEmpty);
  PayloadInfo info;
  const uint8_t aggregation = payload[0];
  const bool continues_previous = (aggregation & 0x80) != 0;  // Z
  const size_t declared = (aggregation >> 4) & 0x03;          // W
  const bool new_sequence = (aggregation & 0x08) != 0;        // N
  // §4.4: N=1 is the first packet of a coded video sequence, so it cannot continue an OBU.
  if (new_sequence && continues_previous) return base::Fail(CodecError::kInvalidStructure);
  info.is_keyframe = new_sequence;
  info.begins_frame = new_sequence;
  info.descriptor_size = 1;

  size_t offset = 1;
  size_t count = 0;
  while (offset < payload.size()) {
    ++count;
    // §4.4: with W != 0 the W-th element has no length field and fills the packet; with
    // W = 0 every element is preceded by its leb128 length.
    uint64_t length = payload.size() - offset;
    if (declared == 0 || count < declared) {
      if (!ReadLeb128(payload, offset, length)) return base::Fail(CodecError::kTruncated);
      if (length > payload.size() - offset) return base::Fail(CodecError::kTruncated);
    }
    const auto element = payload.subspan(offset, static_cast<size_t>(length));
    offset += static_cast<size_t>(length);
    // The first element of a Z=1 packet is the tail of an OBU: it has no OBU header.
    if (count == 1 && continues_previous) continue;
    // §4.4: an element that starts an OBU is never empty (it holds the OBU header).
    if (element.empty()) return base::Fail(CodecError::kInvalidStructure);
    // AV1 §5.3.2 obu_header: forbidden(1) type(4) extension_flag(1) has_size(1) reserved(1)
    const uint8_t header = element[0];
    if ((header & 0x80) != 0) return base::Fail(CodecError::kInvalidStructure);
    if ((header & 0x04) != 0) {
      // §5.3.3 obu_extension_header: temporal_id(3) spatial_id(2) reserved(3)
      if (element.size() < 2) return base::Fail(CodecError::kTruncated);
      info.temporal_layer = element[1] >> 5;
      info.spatial_layer = (element[1] >> 3) & 0x03;
    }
  }
  // A packet declaring W elements holds exactly that many.
  if (declared != 0 && count != declared) return base::Fail(CodecError::kTruncated);
  if (count == 0) return base::Fail(CodecError::kTruncated);
  return info;
}

}  // namespace cascade::codecs
