#include "core/codecs/PayloadInspector.hpp"

#include "core/codecs/Av1.hpp"
#include "core/codecs/H264.hpp"
#include "core/codecs/Vp8.hpp"
#include "core/codecs/Vp9.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectPayload(CodecKind codec, std::span<const uint8_t> payload) {
  switch (codec) {
    case CodecKind::kVp8: return InspectVp8(payload);
    case CodecKind::kVp9: return InspectVp9(payload);
    case CodecKind::kH264: return InspectH264(payload);
    case CodecKind::kAv1: return InspectAv1(payload);
    case CodecKind::kOpus:
    case CodecKind::kCount: break;
  }
  if (payload.empty()) return base::Fail(CodecError::kEmpty);
  PayloadInfo info;
  info.is_keyframe = true;
  info.begins_frame = true;
  info.ends_frame = true;
  return info;
}

const char* ToString(CodecKind codec) {
  switch (codec) {
    case CodecKind::kOpus: return "opus";
    case CodecKind::kVp8: return "vp8";
    case CodecKind::kVp9: return "vp9";
    case CodecKind::kH264: return "h264";
    case CodecKind::kAv1: return "av1";
    case CodecKind::kCount: break;
  }
  return "unknown";
}

}  // namespace cascade::codecs
