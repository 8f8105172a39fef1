#include "core/codecs/CodecError.hpp"

namespace cascade::codecs {

const char* ToString(CodecError error) {
  switch (error) {
    case CodecError::kEmpty: return "empty";
    case CodecError::kTruncated: return "truncated";
    case CodecError::kUnsupportedPacketization: return "unsupported_packetization";
    case CodecError::kInvalidNalLength: return "invalid_nal_length";
    case CodecError::kInvalidFragment: return "invalid_fragment";
    case CodecError::kInvalidStructure: return "invalid_structure";
    case CodecError::kUnknownCodec: return "unknown_codec";
    case CodecError::kCount: break;
  }
  return "unknown";
}

}  // namespace cascade::codecs
