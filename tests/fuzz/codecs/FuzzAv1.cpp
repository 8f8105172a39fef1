// Inspects arbitrary bytes as an AV1 RTP payload and as Dependency Descriptor values: the
// input is split in two so that a structure attached by the first value is used to resolve
// the second one.
#include "core/codecs/Av1.hpp"
#include "core/codecs/DependencyDescriptorParser.hpp"
#include "tests/fuzz/codecs/FuzzCodecCommon.hpp"

using namespace cascade::codecs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::CheckInspector(CodecKind::kAv1, InspectAv1, data, size);

  const std::span<const uint8_t> input(data, size);
  const size_t split = size > 0 ? data[0] % (size + 1) : 0;
  DependencyDescriptorParser parser;
  for (auto value : {input.first(split), input.subspan(split)}) {
    auto dd = parser.Parse(value);
    if (!dd.ok()) {
      fuzz::Check(dd.error() < CodecError::kCount);
      continue;
    }
    fuzz::Check(value.size() >= 3);
    if (dd->spatial_id)
      fuzz::Check(*dd->spatial_id < DependencyStructure::kMaxSpatialLayers && dd->temporal_id);
    if (dd->temporal_id) fuzz::Check(*dd->temporal_id < 8);
    if (dd->attached_structure) fuzz::Check(parser.structure().has_value());
    if (const auto& s = parser.structure()) {
      fuzz::Check(s->template_count >= 1 && s->template_count <= DependencyStructure::kMaxTemplates);
      fuzz::Check(s->decode_target_count >= 1 && s->decode_target_count <= 32);
    }
  }
  return 0;
}
