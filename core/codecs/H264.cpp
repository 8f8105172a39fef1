#include "core/codecs/H264.hpp"

#include "core/base/Bytes.hpp"

namespace cascade::codecs {

namespace {

constexpr uint8_t kIdr = 5;
constexpr uint8_t kSps = 7;
constexpr uint8_t kPrefix = 14;
constexpr uint8_t kSliceExtension = 20;
constexpr uint8_t kStapA = 24;
constexpr uint8_t kFuA = 28;

// Looks at one NAL unit given its header type and the bytes after the 1-byte NAL header.
void InspectNal(uint8_t type, std::span<const uint8_t> after_header, bool first, PayloadInfo& info) {
  if (first) info.nal_type = type;
  // RFC 6184 §1.3 / H.264 Table 7-1: an IDR slice or an SPS starts a decodable sequence.
  if (type == kIdr || type == kSps) info.is_keyframe = true;
  // H.264 G.7.3.1.1 nal_unit_header_svc_extension: svc_extension_flag(1) idr_flag(1)
  // priority_id(6) | no_inter_layer_pred(1) dependency_id(3) quality_id(4) |
  // temporal_id(3) ...
  if ((type == kPrefix || type == kSliceExtension) && after_header.size() >= 3 &&
      (after_header[0] & 0x80) != 0) {
    info.spatial_layer = (after_header[1] >> 4) & 0x07;
    info.temporal_layer = after_header[2] >> 5;
  }
}

}  // namespace

base::Result<PayloadInfo, CodecError> InspectH264(std::span<const uint8_t> payload) {
  if (payload.empty()) return base::Fail(CodecError::kEmpty);
  PayloadInfo info;
  // RFC 6184 §5.3: |F|NRI|Type|
  const uint8_t type = payload[0] & 0x1f;
  if (type >= 1 && type <= 23) {
    // §5.6: a single NAL unit packet carries exactly one whole NAL unit.
    InspectNal(type, payload.subspan(1), true, info);
    info.begins_frame = true;
    info.ends_frame = true;
    return info;
  }
  if (type == kStapA) {
    // §5.7.1: after the STAP-A header, NAL units each prefixed with a 16-bit size.
    base::ByteReader r(payload.subspan(1));
    size_t count = 0;
    while (r.remaining() > 0) {
      const uint16_t size = r.U16();
      if (!r.ok() || size == 0 || size > r.remaining()) return base::Fail(CodecError::kInvalidNalLength);
      const auto nal = r.Bytes(size);
      InspectNal(nal[0] & 0x1f, nal.subspan(1), count == 0, info);
      ++count;
    }
    if (count == 0) return base::Fail(CodecError::kTruncated);
    info.descriptor_size = 1;
    info.begins_frame = true;
    info.ends_frame = true;
    return info;
  }
  if (type == kFuA) {
    // §5.8: FU indicator, then |S|E|R|Type| of the fragmented NAL unit.
    if (payload.size() < 2) return base::Fail(CodecError::kTruncated);
    const uint8_t header = payload[1];
    const bool start = (header & 0x80) != 0;
    const bool end = (header & 0x40) != 0;
    // §5.8: a NAL unit that fits one packet is not fragmented; S and E never both set.
    if (start && end) return base::Fail(CodecError::kInvalidFragment);
    info.nal_type = header & 0x1f;
    info.descriptor_size = 2;
    info.begins_frame = start;
    info.ends_frame = end;
    // Only the first fragment carries the start of the NAL unit (and an SVC extension).
    if (start) InspectNal(info.nal_type, payload.subspan(2), true, info);
    return info;
  }
  // Type 0 and 30-31 are undefined; STAP-B, MTAP16/24 and FU-B need interleaved mode
  // (§5.2), which WebRTC never negotiates.
  return base::Fail(CodecError::kUnsupportedPacketization);
}

}  // namespace cascade::codecs
