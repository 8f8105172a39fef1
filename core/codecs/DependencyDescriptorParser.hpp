#pragma once
// The Dependency Descriptor RTP header extension (AV1 RTP specification, Appendix A): the
// mandatory fields of every packet and, when a packet attaches one, the template dependency
// structure that later packets refer to by template id. The parser keeps the latest
// structure (fixed-size, no allocation) so it can report spatial/temporal ids per packet.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"

namespace cascade::codecs {

struct DependencyStructure {
  static constexpr size_t kMaxTemplates = 64;  // template ids are 6 bits (§A.8.3)
  static constexpr size_t kMaxSpatialLayers = 4;
  uint8_t template_id_offset = 0;
  uint8_t decode_target_count = 0;
  uint8_t template_count = 0;
  uint8_t chain_count = 0;
  uint8_t max_spatial_id = 0;
  std::array<uint8_t, kMaxTemplates> spatial_id{};
  std::array<uint8_t, kMaxTemplates> temporal_id{};
  bool has_resolutions = false;
  std::array<uint16_t, kMaxSpatialLayers> width{};
  std::array<uint16_t, kMaxSpatialLayers> height{};
};

struct DependencyDescriptor {
  bool start_of_frame = false;
  bool end_of_frame = false;
  uint8_t template_id = 0;
  uint16_t frame_number = 0;
  bool attached_structure = false;  // this packet carried a new template structure
  std::optional<uint32_t> active_decode_targets;
  // Known when a structure (this packet's or an earlier one) resolves the template id.
  std::optional<uint8_t> spatial_id;
  std::optional<uint8_t> temporal_id;
};

class DependencyDescriptorParser {
 public:
  // Parses one extension value; a structure it carries replaces the stored one. Without a
  // stored structure only the mandatory fields are reported (extended fields need DtCnt).
  base::Result<DependencyDescriptor, CodecError> Parse(std::span<const uint8_t> value);

  const std::optional<DependencyStructure>& structure() const { return structure_; }

 private:
  std::optional<DependencyStructure> structure_;
};

}  // namespace cascade::codecs
