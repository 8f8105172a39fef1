#include "core/codecs/H264.hpp"

#include <doctest/doctest.h>

#include <string>
#include <tuple>
#include <vector>

#include "core/rtp/RtpPacket.hpp"
#include "tests/TestData.hpp"

using namespace cascade::codecs;

TEST_CASE("InspectH264 reads the aiortc packetizer output") {
  struct Case {
    const char* file;
    bool keyframe, begins, ends;
    uint8_t nal_type;
  };
  const std::vector<Case> cases = {
      {"h264_0000.bin", true, true, true, 7},    // STAP-A: SPS + PPS
      {"h264_0001.bin", true, true, false, 5},   // FU-A start of an IDR slice
      {"h264_0002.bin", false, false, true, 5},  // FU-A end of the IDR slice
      {"h264_0003.bin", false, true, true, 1},   // single NAL, non-IDR slice
  };
  for (const auto& c : cases) {
    CAPTURE(c.file);
    auto payload = cascade::test::ReadBinary(std::string("rtp/aiortc/") + c.file);
    auto info = InspectH264(payload);
    REQUIRE(info.ok());
    CHECK(info->is_keyframe == c.keyframe);
    CHECK(info->begins_frame == c.begins);
    CHECK(info->ends_frame == c.ends);
    CHECK(info->nal_type == c.nal_type);
  }
}

TEST_CASE("InspectH264 reads the mediasoup H.264 SVC packets") {
  struct Case {
    const char* file;
    bool keyframe;
    uint8_t nal_type;
    uint8_t sid, tid;
  };
  const std::vector<Case> cases = {
      {"I0-5.bin", true, 5, 0, 0},    {"I0-7.bin", true, 7, 0, 0},      {"I0-8.bin", false, 8, 0, 0},
      {"I0-14.bin", false, 14, 0, 0}, {"2SL-I14.bin", false, 14, 0, 0}, {"I1-15.bin", false, 15, 0, 0},
  };
  for (const auto& c : cases) {
    CAPTURE(c.file);
    auto bytes = cascade::test::ReadBinary(std::string("rtp/mediasoup_test_data/H264_SVC/") + c.file);
    auto packet = cascade::rtp::RtpPacket::Parse(bytes);
    REQUIRE(packet.ok());
    auto info = InspectH264(packet->payload());
    REQUIRE(info.ok());
    CHECK(info->is_keyframe == c.keyframe);
    CHECK(info->nal_type == c.nal_type);
    CHECK(info->spatial_layer == c.sid);
    CHECK(info->temporal_layer == c.tid);
  }
}

TEST_CASE("InspectH264 reads SVC layer ids and STAP-A contents") {
  // Type 20 slice extension: svc_extension_flag 1, dependency_id 2, temporal_id 3.
  auto svc = InspectH264(std::vector<uint8_t>{0x74, 0x80, 0x20, 0x60, 0xaa});
  REQUIRE(svc.ok());
  CHECK(svc->spatial_layer == 2);
  CHECK(svc->temporal_layer == 3);
  // STAP-A with a non-IDR slice then an IDR slice: keyframe, first NAL type reported.
  auto stap = InspectH264(std::vector<uint8_t>{0x78, 0x00, 0x02, 0x41, 0xaa, 0x00, 0x02, 0x65, 0xbb});
  REQUIRE(stap.ok());
  CHECK(stap->is_keyframe);
  CHECK(stap->nal_type == 1);
  // FU-A start of an SPS-less non-IDR slice.
  auto fu = InspectH264(std::vector<uint8_t>{0x7c, 0x81, 0xaa});
  REQUIRE(fu.ok());
  CHECK_FALSE(fu->is_keyframe);
  CHECK(fu->begins_frame);
}

TEST_CASE("InspectH264 rejects lying lengths and unsupported packetizations") {
  const std::vector<std::tuple<const char*, std::vector<uint8_t>, CodecError>> cases = {
      {"empty", {}, CodecError::kEmpty},
      {"STAP-A size past end", {0x78, 0x00, 0x05, 0x67, 0x42}, CodecError::kInvalidNalLength},
      {"STAP-A size zero", {0x78, 0x00, 0x00}, CodecError::kInvalidNalLength},
      {"STAP-A half a size", {0x78, 0x00, 0x01, 0x67, 0x00}, CodecError::kInvalidNalLength},
      {"STAP-A empty", {0x78}, CodecError::kTruncated},
      {"FU-A without header", {0x7c}, CodecError::kTruncated},
      {"FU-A S and E", {0x7c, 0xc5, 0xaa}, CodecError::kInvalidFragment},
      {"STAP-B", {0x79, 0x00, 0x00}, CodecError::kUnsupportedPacketization},
      {"MTAP16", {0x7a, 0x00}, CodecError::kUnsupportedPacketization},
      {"FU-B", {0x7d, 0x85, 0x00, 0x00}, CodecError::kUnsupportedPacketization},
      {"type 0", {0x00, 0x00}, CodecError::kUnsupportedPacketization},
      {"type 31", {0x1f}, CodecError::kUnsupportedPacketization},
  };
  for (const auto& c : cases) {
    const auto& [name, payload, error] = c;
    const char* label = name;
    CAPTURE(label);
    auto info = InspectH264(payload);
    REQUIRE_FALSE(info.ok());
    CHECK(info.error() == error);
  }
}
