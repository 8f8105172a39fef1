#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "control/client/ControlMessages.hpp"
#include "core/base/Result.hpp"

namespace cascade::control {

enum class ControlDecodeError : uint8_t { kUnverifiable, kNoBody, kMissingField, kCount };
const char* ToString(ControlDecodeError error);

// A size-prefixed FlatBuffers frame, ready to write to the stream.
std::vector<uint8_t> EncodeControlMessage(const ControlMessage& message);
// Verifies the frame (with its 4-byte prefix) with the FlatBuffers verifier before reading it.
base::Result<ControlMessage, ControlDecodeError> DecodeControlMessage(std::span<const uint8_t> frame);

}  // namespace cascade::control
