// Inspects arbitrary bytes as a Vp9 RTP payload; checks the dispatcher agrees and the
// reported descriptor stays inside the payload.
#include "core/codecs/Vp9.hpp"
#include "tests/fuzz/codecs/FuzzCodecCommon.hpp"

using namespace cascade::codecs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::CheckInspector(CodecKind::kVp9, InspectVp9, data, size);
  auto info = InspectVp9(std::span<const uint8_t>(data, size));
  // Keyframes begin a base-layer frame; the bitstream follows the descriptor.
  if (info.ok())
    fuzz::Check(info->descriptor_size < size &&
                (!info->is_keyframe || (info->begins_frame && info->spatial_layer == 0)));
  return 0;
}
