#pragma once
// Typed errors of payload inspection, counted per kind with base::EnumCounters<CodecError>.
#include <cstdint>

namespace cascade::codecs {

enum class CodecError : uint8_t {
  kEmpty,                     // no payload at all
  kTruncated,                 // a descriptor or structure runs past the end of the payload
  kUnsupportedPacketization,  // H.264 STAP-B/MTAP/FU-B or an undefined NAL type
  kInvalidNalLength,          // STAP-A NAL size zero or past the end (RFC 6184 §5.7.1)
  kInvalidFragment,           // FU-A with both S and E set (RFC 6184 §5.8)
  kInvalidStructure,          // VP9 SS / P_DIFF list, AV1 W/N/Z, DD template out of range
  kUnknownCodec,              // a CodecKind with no CodecTable row
  kCount,
};

const char* ToString(CodecError error);

}  // namespace cascade::codecs
