#include "core/codecs/DependencyDescriptorParser.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace cascade::codecs;

namespace {

class BitWriter {
 public:
  void Put(uint32_t value, size_t bits) {
    for (size_t i = bits; i > 0; --i) {
      if (count_ % 8 == 0) bytes_.push_back(0);
      if ((value >> (i - 1)) & 1) bytes_.back() |= static_cast<uint8_t>(0x80 >> (count_ % 8));
      ++count_;
    }
  }
  std::vector<uint8_t> bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  size_t count_ = 0;
};

// A keyframe descriptor carrying an L2T2-like structure: templates (S0,T0), (S0,T1), (S1,T0),
// two decode targets, no chains, render sizes 320x180 and 640x360.
std::vector<uint8_t> KeyframeWithStructure(uint8_t template_id_offset, bool truncate = false) {
  BitWriter w;
  w.Put(1, 1);                                  // start_of_frame
  w.Put(1, 1);                                  // end_of_frame
  w.Put(template_id_offset, 6);                 // frame_dependency_template_id -> template 0
  w.Put(0x1234, 16);                            // frame_number
  w.Put(1, 1);                                  // template_dependency_structure_present_flag
  w.Put(0, 4);                                  // active targets, custom dtis/fdiffs/chains
  w.Put(template_id_offset, 6);                 // template_id_offset
  w.Put(1, 5);                                  // dt_cnt_minus_one -> 2 decode targets
  w.Put(1, 2);                                  // next_layer_idc: next temporal layer
  w.Put(2, 2);                                  // next spatial layer
  w.Put(3, 2);                                  // end
  for (int i = 0; i < 3 * 2; ++i) w.Put(2, 2);  // template_dti
  for (int i = 0; i < 3; ++i) w.Put(0, 1);      // no fdiffs
  w.Put(0, 1);                                  // chain_cnt = ns(3) -> 0
  if (truncate) return w.bytes();
  w.Put(1, 1);  // resolutions_present_flag
  w.Put(319, 16);
  w.Put(179, 16);
  w.Put(639, 16);
  w.Put(359, 16);
  return w.bytes();
}

std::vector<uint8_t> Mandatory(uint8_t template_id, uint16_t frame) {
  BitWriter w;
  w.Put(1, 1);
  w.Put(0, 1);
  w.Put(template_id, 6);
  w.Put(frame, 16);
  return w.bytes();
}

}  // namespace

TEST_CASE("DependencyDescriptorParser resolves layer ids through the attached structure") {
  DependencyDescriptorParser parser;
  // Before any structure only the mandatory fields are known.
  auto early = parser.Parse(Mandatory(1, 7));
  REQUIRE(early.ok());
  CHECK(early->start_of_frame);
  CHECK_FALSE(early->end_of_frame);
  CHECK(early->frame_number == 7);
  CHECK_FALSE(early->spatial_id);

  auto key = parser.Parse(KeyframeWithStructure(10));
  REQUIRE(key.ok());
  CHECK(key->attached_structure);
  CHECK(key->frame_number == 0x1234);
  CHECK(key->spatial_id == 0);
  CHECK(key->temporal_id == 0);
  CHECK(key->active_decode_targets == 0x3u);
  REQUIRE(parser.structure());
  CHECK(parser.structure()->template_count == 3);
  CHECK(parser.structure()->decode_target_count == 2);
  CHECK(parser.structure()->width[1] == 640);
  CHECK(parser.structure()->height[0] == 180);

  struct Case {
    uint8_t template_id;
    uint8_t sid, tid;
  };
  for (const auto& c : {Case{10, 0, 0}, Case{11, 0, 1}, Case{12, 1, 0}}) {
    CAPTURE(int(c.template_id));
    auto dd = parser.Parse(Mandatory(c.template_id, 9));
    REQUIRE(dd.ok());
    CHECK(dd->spatial_id == c.sid);
    CHECK(dd->temporal_id == c.tid);
  }
  // Template ids outside the structure's range.
  CHECK(parser.Parse(Mandatory(13, 9)).error() == CodecError::kInvalidStructure);
  CHECK(parser.Parse(Mandatory(9, 9)).error() == CodecError::kInvalidStructure);
}

TEST_CASE("DependencyDescriptorParser rejects short and truncated descriptors") {
  DependencyDescriptorParser parser;
  CHECK(parser.Parse(std::vector<uint8_t>{0x80, 0x00}).error() == CodecError::kTruncated);
  // 6 bytes end inside template_dtis().
  auto cut = KeyframeWithStructure(0);
  cut.resize(6);
  CHECK(parser.Parse(cut).error() == CodecError::kInvalidStructure);
  // Stopping before resolutions_present_flag leaves two zero padding bits that read as "no
  // resolutions": still a valid structure.
  auto no_sizes = KeyframeWithStructure(0, true);
  REQUIRE(no_sizes.size() == 8);
  CHECK(DependencyDescriptorParser().Parse(no_sizes).ok());
  CHECK_FALSE(parser.structure());  // a failed parse stores nothing
  // Every prefix of a valid descriptor fails or reports no more than it carries.
  auto full = KeyframeWithStructure(0);
  for (size_t n = 0; n < full.size(); ++n) {
    DependencyDescriptorParser fresh;
    auto dd = fresh.Parse(std::span<const uint8_t>(full).first(n));
    CHECK((!dd.ok() || !dd->attached_structure));
  }
}
