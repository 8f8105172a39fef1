#pragma once
// VP8 RTP payload descriptor (RFC 7741 §4.2) and the keyframe bit of the VP8 payload header
// (RFC 7741 §4.3).
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"
#include "core/codecs/PayloadInfo.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectVp8(std::span<const uint8_t> payload);

}  // namespace cascade::codecs
