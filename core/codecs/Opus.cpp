#include "core/codecs/Opus.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectOpus(std::span<const uint8_t> payload) {
  if (payload.empty()) return base::Fail(CodecError::kEmpty);
  PayloadInfo info;
  info.is_keyframe = true;
  info.begins_frame = true;
  info.ends_frame = true;
  return info;
}

}  // namespace cascade::codecs
