// Inspects arbitrary bytes as a Vp8 RTP payload; checks the dispatcher agrees and the
// reported descriptor stays inside the payload.
#include "core/codecs/Vp8.hpp"
#include "tests/fuzz/codecs/FuzzCodecCommon.hpp"

using namespace cascade::codecs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::CheckInspector(CodecKind::kVp8, InspectVp8, data, size);
  auto info = InspectVp8(std::span<const uint8_t>(data, size));
  // RFC 7741 §4.2: a descriptor is always followed by VP8 payload; keyframes begin frames.
  if (info.ok()) fuzz::Check(info->descriptor_size < size && (!info->is_keyframe || info->begins_frame));
  return 0;
}
