#pragma once
// VP9 RTP payload descriptor (RFC 9628 §4.2) in flexible and non-flexible mode, including
// the scalability structure (§4.2.1), bounds-checked.
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"
#include "core/codecs/PayloadInfo.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectVp9(std::span<const uint8_t> payload);

}  // namespace cascade::codecs
