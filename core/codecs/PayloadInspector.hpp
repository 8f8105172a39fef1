#pragma once
// One entry point for payload inspection by codec, so the forwarder's per-packet code does
// not switch on codecs itself: it calls the inspector of the codec's CodecTable row.
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"
#include "core/codecs/CodecTable.hpp"
#include "core/codecs/PayloadInfo.hpp"

namespace cascade::codecs {

// Opus is passed through (see Opus.hpp). An empty payload is an error for every codec, as
// is a codec outside the table.
base::Result<PayloadInfo, CodecError> InspectPayload(CodecKind codec, std::span<const uint8_t> payload);

}  // namespace cascade::codecs
