#include "core/codecs/Vp8.hpp"

#include "core/base/Bytes.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectVp8(std::span<const uint8_t> payload) {
  if (payload.empty()) return base::Fail(CodecError::kEmpty);
  base::ByteReader r(payload);
  PayloadInfo info;
  // RFC 7741 §4.2: |X|R|N|S|R| PID |
  const uint8_t first = r.U8();
  const bool start = (first & 0x10) != 0;
  const uint8_t partition = first & 0x07;
  if ((first & 0x80) != 0) {
    // X: |I|L|T|K| RSV |
    const uint8_t ext = r.U8();
    if ((ext & 0x80) != 0) {
      // I: M bit selects a 15-bit picture id.
      const uint8_t high = r.U8();
      if ((high & 0x80) != 0) {
        info.picture_id = static_cast<uint16_t>(((high & 0x7f) << 8) | r.U8());
        info.picture_id_15bit = true;
      } else {
        info.picture_id = high;
      }
    }
    if ((ext & 0x40) != 0) info.tl0picidx = r.U8();  // L
    if ((ext & 0x30) != 0) {
      // T or K: |TID|Y| KEYIDX |; TID is meaningful only with T.
      const uint8_t tid = r.U8();
      if ((ext & 0x20) != 0) {
        info.temporal_layer = tid >> 6;
        info.layer_sync = (tid & 0x20) != 0;
      }
    }
  }
  if (!r.ok()) return base::Fail(CodecError::kTruncated);
  info.descriptor_size = static_cast<uint16_t>(r.offset());
  // RFC 7741 §4.2: a descriptor is followed by at least one byte of VP8 payload.
  const auto vp8 = r.rest();
  if (vp8.empty()) return base::Fail(CodecError::kTruncated);
  info.begins_frame = start && partition == 0;
  // RFC 7741 §4.3: the payload header starts the first partition; P (bit 0) is 0 for a
  // keyframe ("inverse key frame flag").
  info.is_keyframe = info.begins_frame && (vp8[0] & 0x01) == 0;
  // RFC 6386 §9.1: keyframes carry the start code 9d 01 2a then 14-bit width and height.
  if (info.is_keyframe && vp8.size() >= 10 && vp8[3] == 0x9d && vp8[4] == 0x01 && vp8[5] == 0x2a) {
    info.width = static_cast<uint16_t>((vp8[6] | (vp8[7] << 8)) & 0x3fff);
    info.height = static_cast<uint16_t>((vp8[8] | (vp8[9] << 8)) & 0x3fff);
  }
  return info;
}

bool WriteVp8PictureId(std::span<uint8_t> payload, uint16_t picture_id) {
  // |X|R|N|S|R| PID |, then |I|L|T|K| RSV |, then |M| PictureID |[ PictureID ]
  if (payload.size() < 3 || (payload[0] & 0x80) == 0 || (payload[1] & 0x80) == 0) return false;
  if ((payload[2] & 0x80) == 0) {
    payload[2] = static_cast<uint8_t>(picture_id & 0x7f);
    return true;
  }
  if (payload.size() < 4) return false;
  payload[2] = static_cast<uint8_t>(0x80 | ((picture_id >> 8) & 0x7f));
  payload[3] = static_cast<uint8_t>(picture_id & 0xff);
  return true;
}

}  // namespace cascade::codecs
