#pragma once
// Invariants every codec inspector must keep on any input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/codecs/PayloadInspector.hpp"

namespace cascade::codecs::fuzz {

inline void Check(bool condition) {
  if (!condition) __builtin_trap();
}

template <typename Inspect>
void CheckInspector(CodecKind codec, Inspect inspect, const uint8_t* data, size_t size) {
  const std::span<const uint8_t> payload(data, size);
  auto info = inspect(payload);
  auto dispatched = InspectPayload(codec, payload);
  Check(info.ok() == dispatched.ok());
  if (!info.ok()) {
    Check(info.error() == dispatched.error() && info.error() < CodecError::kCount);
    return;
  }
  Check(info->is_keyframe == dispatched->is_keyframe && info->spatial_layer == dispatched->spatial_layer &&
        info->temporal_layer == dispatched->temporal_layer);
  Check(info->descriptor_size <= size);
  Check(info->temporal_layer < 8 && info->spatial_layer < 8);
}

}  // namespace cascade::codecs::fuzz
