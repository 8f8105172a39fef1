#include "core/codecs/DependencyDescriptorParser.hpp"

namespace cascade::codecs {

namespace {

// MSB-first bit reader; reading past the end sets failed() and yields zeros.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> data) : data_(data) {}
  bool failed() const { return failed_; }

  uint32_t F(size_t bits) {  // §A.7 f(n), n <= 32
    uint32_t value = 0;
    for (size_t i = 0; i < bits; ++i) {
      if (position_ >= data_.size() * 8) {
        failed_ = true;
        return 0;
      }
      const uint8_t bit = (data_[position_ / 8] >> (7 - position_ % 8)) & 1;
      value = (value << 1) | bit;
      ++position_;
    }
    return value;
  }

  // §A.7 ns(n): non-symmetric unsigned value in [0, n).
  uint32_t Ns(uint32_t n) {
    uint32_t w = 0;
    for (uint32_t x = n; x != 0; x >>= 1) ++w;
    const uint32_t m = (1u << w) - n;
    const uint32_t v = F(w - 1);
    if (v < m) return v;
    return (v << 1) - m + F(1);
  }

 private:
  std::span<const uint8_t> data_;
  size_t position_ = 0;
  bool failed_ = false;
};

// §A.8.2 template_dependency_structure(); false on a malformed or oversized structure.
bool ReadStructure(BitReader& r, DependencyStructure& s) {
  s.template_id_offset = static_cast<uint8_t>(r.F(6));
  s.decode_target_count = static_cast<uint8_t>(r.F(5) + 1);
  // template_layers(): next_layer_idc 1 = next temporal layer, 2 = next spatial layer, 3 = end.
  uint8_t spatial = 0;
  uint8_t temporal = 0;
  uint32_t next = 0;
  s.template_count = 0;
  do {
    if (s.template_count == DependencyStructure::kMaxTemplates) return false;
    s.spatial_id[s.template_count] = spatial;
    s.temporal_id[s.template_count] = temporal;
    ++s.template_count;
    next = r.F(2);
    if (r.failed()) return false;
    if (next == 1) {
      if (++temporal > 7) return false;
    } else if (next == 2) {
      temporal = 0;
      if (++spatial >= DependencyStructure::kMaxSpatialLayers) return false;
    }
  } while (next != 3);
  s.max_spatial_id = spatial;
  // template_dtis(): 2 bits per template and decode target.
  for (size_t t = 0; t < s.template_count; ++t) {
    for (size_t dt = 0; dt < s.decode_target_count; ++dt) r.F(2);
  }
  // template_fdiffs(): a list of 4-bit fdiffs per template, each behind a follows flag.
  for (size_t t = 0; t < s.template_count && !r.failed(); ++t) {
    while (r.F(1) == 1 && !r.failed()) r.F(4);
  }
  // template_chains()
  s.chain_count = static_cast<uint8_t>(r.Ns(s.decode_target_count + 1u));
  if (s.chain_count > 0) {
    for (size_t dt = 0; dt < s.decode_target_count; ++dt) r.Ns(s.chain_count);
    for (size_t t = 0; t < s.template_count; ++t) {
      for (size_t c = 0; c < s.chain_count; ++c) r.F(4);
    }
  }
  // resolutions_present_flag, render_resolutions(): one size per spatial layer.
  s.has_resolutions = r.F(1) == 1;
  if (s.has_resolutions) {
    for (size_t sid = 0; sid <= s.max_spatial_id; ++sid) {
      s.width[sid] = static_cast<uint16_t>(r.F(16) + 1);
      s.height[sid] = static_cast<uint16_t>(r.F(16) + 1);
    }
  }
  return !r.failed();
}

}  // namespace

base::Result<DependencyDescriptor, CodecError> DependencyDescriptorParser::Parse(
    std::span<const uint8_t> value) {
  // §A.8.1 mandatory_descriptor_fields(): 3 bytes.
  if (value.size() < 3) return base::Fail(CodecError::kTruncated);
  BitReader r(value);
  DependencyDescriptor dd;
  dd.start_of_frame = r.F(1) == 1;
  dd.end_of_frame = r.F(1) == 1;
  dd.template_id = static_cast<uint8_t>(r.F(6));
  dd.frame_number = static_cast<uint16_t>(r.F(16));

  const DependencyStructure* structure = structure_ ? &*structure_ : nullptr;
  DependencyStructure attached;
  bool custom_dtis = false;
  bool custom_fdiffs = false;
  bool custom_chains = false;
  if (value.size() > 3) {
    // §A.8.1 extended_descriptor_fields()
    const bool structure_present = r.F(1) == 1;
    const bool active_targets_present = r.F(1) == 1;
    custom_dtis = r.F(1) == 1;
    custom_fdiffs = r.F(1) == 1;
    custom_chains = r.F(1) == 1;
    if (structure_present) {
      if (!ReadStructure(r, attached)) return base::Fail(CodecError::kInvalidStructure);
      structure = &attached;
      dd.attached_structure = true;
      dd.active_decode_targets = static_cast<uint32_t>((uint64_t{1} << attached.decode_target_count) - 1);
    }
    // The remaining fields are sized by the structure; without one they cannot be read.
    if (structure == nullptr) return dd;
    if (active_targets_present) dd.active_decode_targets = r.F(structure->decode_target_count);
  }
  if (structure == nullptr) return dd;

  // §A.8.3 frame_dependency_definition()
  const size_t index = (dd.template_id + 64u - structure->template_id_offset) % 64u;
  if (index >= structure->template_count) return base::Fail(CodecError::kInvalidStructure);
  dd.spatial_id = structure->spatial_id[index];
  dd.temporal_id = structure->temporal_id[index];
  if (custom_dtis) {
    for (size_t dt = 0; dt < structure->decode_target_count; ++dt) r.F(2);
  }
  if (custom_fdiffs) {
    // next_fdiff_size f(2), then fdiff_minus_one f(4 * size), until a size of 0.
    for (uint32_t size = r.F(2); size != 0 && !r.failed(); size = r.F(2)) r.F(4 * size);
  }
  if (custom_chains) {
    for (size_t c = 0; c < structure->chain_count; ++c) r.F(8);
  }
  if (r.failed()) return base::Fail(CodecError::kTruncated);
  if (dd.attached_structure) structure_ = attached;
  return dd;
}

}  // namespace cascade::codecs
