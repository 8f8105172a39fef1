#include "core/codecs/Vp8.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <vector>

using namespace cascade::codecs;

namespace {

struct Case {
  const char* name;
  std::vector<uint8_t> payload;
  bool keyframe;
  bool begins;
  std::optional<uint16_t> picture_id;
  bool picture_id_15bit;
  std::optional<uint8_t> tl0;
  uint8_t tid;
  bool sync;
  uint16_t descriptor;
};

}  // namespace

TEST_CASE("InspectVp8 reads RFC 7741 descriptors") {
  const std::vector<Case> cases = {
      // X I L T, 15-bit picture id 0x1234, TL0PICIDX 5, TID 0 Y=1; keyframe header (P=0).
      {"keyframe, all fields",
       {0x90, 0xe0, 0x92, 0x34, 0x05, 0x20, 0x50, 0x01, 0x00},
       true,
       true,
       0x1234,
       true,
       5,
       0,
       true,
       6},
      // S=1 PID=0 but P=1 in the payload header: an interframe.
      {"interframe",
       {0x90, 0xe0, 0x92, 0x35, 0x05, 0x80, 0x51, 0x01, 0x00},
       false,
       true,
       0x1235,
       true,
       5,
       2,
       false,
       6},
      // S=0: continuation of a partition; the payload byte is not a payload header.
      {"continuation", {0x80, 0x80, 0x12, 0x50}, false, false, 0x12, false, std::nullopt, 0, false, 3},
      // S=1 with PID=1: a later partition starts, not the frame.
      {"second partition", {0x11, 0x50}, false, false, std::nullopt, false, std::nullopt, 0, false, 1},
      // No extension at all.
      {"minimal keyframe", {0x10, 0x50}, true, true, std::nullopt, false, std::nullopt, 0, false, 1},
      // K only: KEYIDX present, TID not meaningful.
      {"K without T", {0x90, 0x10, 0xff, 0x50}, true, true, std::nullopt, false, std::nullopt, 0, false, 3},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto info = InspectVp8(c.payload);
    REQUIRE(info.ok());
    CHECK(info->is_keyframe == c.keyframe);
    CHECK(info->begins_frame == c.begins);
    CHECK(info->picture_id == c.picture_id);
    CHECK(info->picture_id_15bit == c.picture_id_15bit);
    CHECK(info->tl0picidx == c.tl0);
    CHECK(info->temporal_layer == c.tid);
    CHECK(info->layer_sync == c.sync);
    CHECK(info->descriptor_size == c.descriptor);
    CHECK(info->spatial_layer == 0);
  }
}

TEST_CASE("InspectVp8 reads the keyframe size") {
  // RFC 6386 §9.1: 3-byte frame tag, start code 9d 01 2a, 14-bit width and height.
  const std::vector<uint8_t> payload = {0x10, 0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01};
  auto info = InspectVp8(payload);
  REQUIRE(info.ok());
  CHECK(info->width == 640);
  CHECK(info->height == 480);
}

TEST_CASE("InspectVp8 rejects truncated descriptors") {
  const std::vector<std::pair<const char*, std::vector<uint8_t>>> cases = {
      {"X without extension byte", {0x90}},
      {"I without picture id", {0x90, 0x80}},
      {"M without second byte", {0x90, 0x80, 0x80}},
      {"L without TL0PICIDX", {0x90, 0x40}},
      {"T without TID byte", {0x90, 0x20}},
      {"descriptor without payload", {0x10}},
      {"full descriptor without payload", {0x90, 0xe0, 0x92, 0x34, 0x05, 0x20}},
  };
  for (const auto& c : cases) {
    const auto& [name, payload] = c;
    const char* label = name;
    CAPTURE(label);
    auto info = InspectVp8(payload);
    REQUIRE_FALSE(info.ok());
    CHECK(info.error() == CodecError::kTruncated);
  }
  CHECK(InspectVp8({}).error() == CodecError::kEmpty);
}

TEST_CASE("InspectVp8 exposes TID and the layer sync bit of RFC 7741 descriptors") {
  // RFC 7741 §4.2: X=1 S=1; I T set; 7-bit PictureID 0x11; |TID|Y|KEYIDX| = 2,Y=1 (0xa0) and
  // 1,Y=0 (0x40); then one byte of VP8 payload (an interframe, P=1).
  auto tl2_sync = InspectVp8(std::vector<uint8_t>{0x90, 0xa0, 0x11, 0xa0, 0x01});
  REQUIRE(tl2_sync.ok());
  CHECK(tl2_sync->temporal_layer == 2);
  CHECK(tl2_sync->layer_sync);
  CHECK(tl2_sync->picture_id == 0x11);
  auto tl1 = InspectVp8(std::vector<uint8_t>{0x90, 0xa0, 0x11, 0x40, 0x01});
  REQUIRE(tl1.ok());
  CHECK(tl1->temporal_layer == 1);
  CHECK_FALSE(tl1->layer_sync);
  // TID is 2 bits: 3 is the highest.
  auto tl3 = InspectVp8(std::vector<uint8_t>{0x90, 0x20, 0xc0, 0x01});
  REQUIRE(tl3.ok());
  CHECK(tl3->temporal_layer == 3);
}

TEST_CASE("WriteVp8PictureId renumbers in place, keeping the width") {
  std::vector<uint8_t> wide = {0x90, 0xe0, 0x92, 0x34, 0x05, 0x20, 0x50, 0x01, 0x00};
  REQUIRE(WriteVp8PictureId(wide, 0x7ffe));
  auto info = InspectVp8(wide);
  REQUIRE(info.ok());
  CHECK(info->picture_id == 0x7ffe);
  CHECK(info->picture_id_15bit);
  CHECK(info->tl0picidx == 5);  // nothing else moved
  CHECK(info->layer_sync);
  CHECK(WriteVp8PictureId(wide, 0x8001));  // reduced to 15 bits
  CHECK(InspectVp8(wide)->picture_id == 1);

  std::vector<uint8_t> narrow = {0x80, 0x80, 0x12, 0x50};
  REQUIRE(WriteVp8PictureId(narrow, 0x1ff));
  CHECK(InspectVp8(narrow)->picture_id == 0x7f);
  CHECK_FALSE(InspectVp8(narrow)->picture_id_15bit);

  std::vector<uint8_t> without_i = {0x90, 0x20, 0x00, 0x50};
  CHECK_FALSE(WriteVp8PictureId(without_i, 3));
  std::vector<uint8_t> no_extension = {0x10, 0x50};
  CHECK_FALSE(WriteVp8PictureId(no_extension, 3));
  std::vector<uint8_t> truncated = {0x90, 0x80, 0x92};
  CHECK_FALSE(WriteVp8PictureId(truncated, 3));
}
