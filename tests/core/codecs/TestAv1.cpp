#include "core/codecs/Av1.hpp"

#include <doctest/doctest.h>

#include <tuple>
#include <vector>

using namespace cascade::codecs;

TEST_CASE("InspectAv1 reads the aggregation header and OBU elements") {
  struct Case {
    const char* name;
    std::vector<uint8_t> payload;
    bool keyframe;
    uint8_t sid, tid;
  };
  const std::vector<Case> cases = {
      // N=1, W=2: sequence header OBU (length-prefixed), then a frame OBU filling the rest.
      {"new sequence", {0x28, 0x02, 0x0a, 0x00, 0x32, 0x10, 0x20}, true, 0, 0},
      // W=0: every element length-prefixed; the frame OBU has an extension (TID 2, SID 1).
      {"W=0 with extension", {0x00, 0x03, 0x34, 0x48, 0xaa, 0x01, 0x12}, false, 1, 2},
      // Z=1 W=1: the only element continues an OBU; it has no OBU header to read.
      {"continuation", {0x90, 0xff, 0xff}, false, 0, 0},
      // Y=1 W=1: an OBU that continues in the next packet.
      {"fragment start", {0x50, 0x32, 0x00}, false, 0, 0},
      // Two-byte leb128 length (130).
      {"leb128",
       [] {
         std::vector<uint8_t> v = {0x00, 0x82, 0x01, 0x32};
         v.resize(4 + 129, 0xab);
         return v;
       }(),
       false, 0, 0},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto info = InspectAv1(c.payload);
    REQUIRE(info.ok());
    CHECK(info->is_keyframe == c.keyframe);
    CHECK(info->spatial_layer == c.sid);
    CHECK(info->temporal_layer == c.tid);
    CHECK(info->descriptor_size == 1);
  }
}

TEST_CASE("InspectAv1 rejects inconsistent aggregation headers and lengths") {
  const std::vector<std::tuple<const char*, std::vector<uint8_t>, CodecError>> cases = {
      {"empty", {}, CodecError::kEmpty},
      {"header only", {0x10}, CodecError::kTruncated},
      {"N with Z", {0x98, 0x32}, CodecError::kInvalidStructure},
      {"length past end", {0x00, 0x05, 0x32}, CodecError::kTruncated},
      {"unterminated leb128", {0x00, 0x80, 0x80}, CodecError::kTruncated},
      {"leb128 over 8 bytes",
       {0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
       CodecError::kTruncated},
      {"W=3 with two elements", {0x30, 0x01, 0x32, 0x32}, CodecError::kTruncated},
      {"forbidden bit", {0x10, 0xb2}, CodecError::kInvalidStructure},
      {"empty OBU element", {0x00, 0x00}, CodecError::kInvalidStructure},
      {"extension byte missing", {0x10, 0x34}, CodecError::kTruncated},
  };
  for (const auto& c : cases) {
    const auto& [name, payload, error] = c;
    const char* label = name;
    CAPTURE(label);
    auto info = InspectAv1(payload);
    REQUIRE_FALSE(info.ok());
    CHECK(info.error() == error);
  }
}
