#pragma once
// H.264 RTP payload (RFC 6184) in packetization modes 0 and 1: single NAL unit (§5.6),
// STAP-A (§5.7.1) and FU-A (§5.8). SVC NAL units (types 14, 20; RFC 6190 §1.1.3) report
// their dependency_id / temporal_id as spatial / temporal layer.
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"
#include "core/codecs/PayloadInfo.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectH264(std::span<const uint8_t> payload);

}  // namespace cascade::codecs
