// Inspects arbitrary bytes as a H264 RTP payload; checks the dispatcher agrees and the
// reported descriptor stays inside the payload.
#include "core/codecs/H264.hpp"
#include "tests/fuzz/codecs/FuzzCodecCommon.hpp"

using namespace cascade::codecs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::CheckInspector(CodecKind::kH264, InspectH264, data, size);
  return 0;
}
