#include "core/codecs/PayloadInspector.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectPayload(CodecKind codec, std::span<const uint8_t> payload) {
  if (codec >= CodecKind::kCount) return base::Fail(CodecError::kUnknownCodec);
  if (payload.empty()) return base::Fail(CodecError::kEmpty);
  return Describe(codec).inspect(payload);
}

}  // namespace cascade::codecs
