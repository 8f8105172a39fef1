#pragma once
// One entry point for payload inspection by codec, so the forwarder's per-packet code does
// not switch on codecs itself.
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"
#include "core/codecs/PayloadInfo.hpp"

namespace cascade::codecs {

// Opus is passed through: every packet is independently decodable (RFC 7587 §4.2), so it
// reports a keyframe that begins and ends its frame. An empty payload is an error for every
// codec.
base::Result<PayloadInfo, CodecError> InspectPayload(CodecKind codec, std::span<const uint8_t> payload);

const char* ToString(CodecKind codec);

}  // namespace cascade::codecs
