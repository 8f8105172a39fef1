#include "core/codecs/Vp9.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace cascade::codecs;

TEST_CASE("InspectVp9 reads a non-flexible keyframe with a scalability structure") {
  const std::vector<uint8_t> payload = {
      0xae,                    // I=1 P=0 L=1 F=0 B=1 E=1 V=1 Z=0
      0x80, 0x05,              // M=1, picture id 5
      0x00,                    // TID 0 U 0 SID 0 D 0
      0x07,                    // TL0PICIDX
      0x58,                    // N_S=2 (3 layers) Y=1 G=1
      0x01, 0x40, 0x00, 0xb4,  // 320x180
      0x02, 0x80, 0x01, 0x68,  // 640x360
      0x05, 0x00, 0x02, 0xd0,  // 1280x720
      0x01,                    // N_G = 1
      0x04, 0x01,              // TID 0 U 0 R 1, P_DIFF 1
      0x82,                    // VP9 bitstream
  };
  auto info = InspectVp9(payload);
  REQUIRE(info.ok());
  CHECK(info->is_keyframe);
  CHECK(info->begins_frame);
  CHECK(info->ends_frame);
  CHECK(info->picture_id == 5);
  CHECK(info->picture_id_15bit);
  CHECK(info->tl0picidx == 7);
  CHECK(info->spatial_layer == 0);
  CHECK(info->width == 320);
  CHECK(info->height == 180);
  CHECK(info->descriptor_size == payload.size() - 1);
  // Every strict prefix ends inside the descriptor.
  for (size_t n = 1; n < payload.size(); ++n) {
    CAPTURE(n);
    auto cut = InspectVp9(std::span<const uint8_t>(payload).first(n));
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.error() == CodecError::kTruncated);
  }
}

TEST_CASE("InspectVp9 reads flexible-mode layer ids and reference indices") {
  struct Case {
    const char* name;
    std::vector<uint8_t> payload;
    bool keyframe;
    uint8_t sid, tid;
    bool sync;
    uint16_t descriptor;
  };
  const std::vector<Case> cases = {
      // I P L F B: 7-bit pid 0x12, TID 2 U 1 SID 1, two P_DIFFs.
      {"inter, 2 refs", {0xf8, 0x12, 0x52, 0x03, 0x04, 0xaa}, false, 1, 2, true, 5},
      // F=1 P=0: no P_DIFF; SID 1 so not a keyframe even if intra.
      {"intra upper layer", {0xb8, 0x12, 0x02, 0xaa}, false, 1, 0, false, 3},
      // No L: base layer; intra and B -> keyframe.
      {"intra, no layers", {0x08, 0xaa}, true, 0, 0, false, 1},
      // Not the beginning of a frame: not a keyframe.
      {"intra middle", {0x04, 0xaa}, false, 0, 0, false, 1},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto info = InspectVp9(c.payload);
    REQUIRE(info.ok());
    CHECK(info->is_keyframe == c.keyframe);
    CHECK(info->spatial_layer == c.sid);
    CHECK(info->temporal_layer == c.tid);
    CHECK(info->layer_sync == c.sync);
    CHECK(info->descriptor_size == c.descriptor);
    CHECK_FALSE(info->tl0picidx);
  }
}

TEST_CASE("InspectVp9 rejects bad descriptors") {
  // Four P_DIFFs (the third says another follows): RFC 9628 allows at most three.
  CHECK(InspectVp9(std::vector<uint8_t>{0x50, 0x03, 0x03, 0x03, 0x02, 0xaa}).error() ==
        CodecError::kInvalidStructure);
  CHECK(InspectVp9(std::vector<uint8_t>{0x08}).error() == CodecError::kTruncated);
  // SS with N_G pictures whose R P_DIFFs are missing.
  CHECK(InspectVp9(std::vector<uint8_t>{0x0a, 0x08, 0x02, 0x0c}).error() == CodecError::kTruncated);
  CHECK(InspectVp9({}).error() == CodecError::kEmpty);
}
