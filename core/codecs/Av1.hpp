#pragma once
// AV1 RTP payload (AV1 RTP specification §4.4-4.5): the aggregation header |Z|Y|W|N|-|-|-|
// and the OBU elements behind it, each bounds-checked. N=1 marks the first packet of a new
// coded video sequence, i.e. a keyframe. Frame boundaries and layer ids of a stream with
// scalability come from the Dependency Descriptor extension (DependencyDescriptorParser);
// OBU extension headers (AV1 §5.3.3) give temporal/spatial ids when present.
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"
#include "core/codecs/PayloadInfo.hpp"

namespace cascade::codecs {

base::Result<PayloadInfo, CodecError> InspectAv1(std::span<const uint8_t> payload);

}  // namespace cascade::codecs
