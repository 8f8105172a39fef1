#pragma once
// Opus (RFC 7587) is passed through: every packet is independently decodable (§4.2), so it
// reports a keyframe that begins and ends its frame.
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"
#include "core/codecs/PayloadInfo.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectOpus(std::span<const uint8_t> payload);

}  // namespace cascade::codecs
