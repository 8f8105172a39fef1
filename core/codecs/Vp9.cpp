#include "core/codecs/Vp9.hpp"

#include "core/base/Bytes.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectVp9(std::span<const uint8_t> payload) {
  if (payload.empty()) return base::Fail(CodecError::kEmpty);
  base::ByteReader r(payload);
  PayloadInfo info;
  // RFC 9628 §4.2: |I|P|L|F|B|E|V|Z|
  const uint8_t first = r.U8();
  const bool has_picture_id = (first & 0x80) != 0;
  const bool inter_predicted = (first & 0x40) != 0;
  const bool has_layers = (first & 0x20) != 0;
  const bool flexible = (first & 0x10) != 0;
  info.begins_frame = (first & 0x08) != 0;
  info.ends_frame = (first & 0x04) != 0;
  const bool has_ss = (first & 0x02) != 0;

  if (has_picture_id) {
    // I: |M| PICTURE ID |, M selects 15 bits.
    const uint8_t high = r.U8();
    if ((high & 0x80) != 0) {
      info.picture_id = static_cast<uint16_t>(((high & 0x7f) << 8) | r.U8());
      info.picture_id_15bit = true;
    } else {
      info.picture_id = high;
    }
  }
  if (has_layers) {
    // L: |TID|U|SID|D|, then TL0PICIDX in non-flexible mode only.
    const uint8_t layers = r.U8();
    info.temporal_layer = layers >> 5;
    info.layer_sync = (layers & 0x10) != 0;
    info.spatial_layer = (layers >> 1) & 0x07;
    if (!flexible) info.tl0picidx = r.U8();
  }
  if (flexible && inter_predicted) {
    // F=1, P=1: up to 3 reference indices |P_DIFF|N|, N=1 meaning another follows.
    size_t count = 0;
    bool more = true;
    while (more && r.ok()) {
      if (count == 3) return base::Fail(CodecError::kInvalidStructure);
      more = (r.U8() & 0x01) != 0;
      ++count;
    }
  }
  if (has_ss) {
    // §4.2.1: |N_S|Y|G|-|-|-|, N_S + 1 spatial layers.
    const uint8_t ss = r.U8();
    const size_t spatial_layers = static_cast<size_t>(ss >> 5) + 1;
    if ((ss & 0x10) != 0) {
      for (size_t i = 0; i < spatial_layers; ++i) {
        const uint16_t width = r.U16();
        const uint16_t height = r.U16();
        if (i == info.spatial_layer) {
          info.width = width;
          info.height = height;
        }
      }
    }
    if ((ss & 0x08) != 0) {
      // G: N_G pictures, each |TID|U| R |-|-| followed by R P_DIFF bytes.
      const uint8_t pictures = r.U8();
      for (size_t i = 0; i < pictures && r.ok(); ++i) {
        const uint8_t picture = r.U8();
        r.Skip((picture >> 2) & 0x03);
      }
    }
  }
  if (!r.ok()) return base::Fail(CodecError::kTruncated);
  info.descriptor_size = static_cast<uint16_t>(r.offset());
  // A descriptor alone (no VP9 bitstream) is not a valid packet.
  if (r.remaining() == 0) return base::Fail(CodecError::kTruncated);
  // An intra-only picture that starts a frame of the base spatial layer.
  info.is_keyframe = !inter_predicted && info.begins_frame && info.spatial_layer == 0;
  return info;
}

}  // namespace cascade::codecs
