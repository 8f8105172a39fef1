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

// Overwrites the descriptor's PictureID in place, keeping its width (RFC 7741 §4.2 M bit:
// 7 or 15 bits; `picture_id` is reduced to that width). A forwarder that drops pictures
// (temporal layers) or splices streams renumbers them so the receiver sees no missing
// picture: libwebrtc's VP8 reference finder holds frames after a gap in picture ids.
// Returns false when the descriptor carries no PictureID or is truncated.
bool WriteVp8PictureId(std::span<uint8_t> payload, uint16_t picture_id);

}  // namespace cascade::codecs
