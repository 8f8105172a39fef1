#pragma once
// What a forwarder needs from a video payload without decoding it: keyframe, frame
// boundaries and scalability layer ids.
#include <cstdint>
#include <optional>

namespace cascade::codecs {

enum class CodecKind : uint8_t { kOpus, kVp8, kVp9, kH264, kAv1, kCount };

struct PayloadInfo {
  bool is_keyframe = false;
  // Frame boundaries as far as the payload tells: VP8 begins (S=1, PID=0), VP9 B/E; for
  // H.264 they mark NAL unit boundaries; AV1 needs the Dependency Descriptor. The end of a
  // frame is otherwise the RTP marker bit, which the caller has.
  bool begins_frame = false;
  bool ends_frame = false;
  uint8_t spatial_layer = 0;
  uint8_t temporal_layer = 0;
  bool layer_sync = false;             // VP8 Y / VP9 U: a temporal up-switch point
  std::optional<uint16_t> picture_id;  // VP8/VP9: 7 or 15 bits
  bool picture_id_15bit = false;
  std::optional<uint8_t> tl0picidx;
  uint16_t descriptor_size = 0;  // payload descriptor bytes before the codec bitstream
  uint16_t width = 0;            // from a VP8 keyframe header or a VP9 scalability structure
  uint16_t height = 0;
  uint8_t nal_type = 0;  // H.264: type of the (first) carried NAL unit
};

}  // namespace cascade::codecs
