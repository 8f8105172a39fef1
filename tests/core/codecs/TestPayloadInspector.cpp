#include "core/codecs/PayloadInspector.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/rtp/RtpPacket.hpp"
#include "tests/TestData.hpp"

using namespace cascade::codecs;

TEST_CASE("InspectPayload dispatches by codec") {
  const std::vector<uint8_t> vp8_key = {0x10, 0x50};
  const std::vector<uint8_t> vp9_key = {0x08, 0xaa};
  const std::vector<uint8_t> h264_idr = {0x65, 0x88};
  const std::vector<uint8_t> av1_key = {0x18, 0x0a};
  const std::vector<uint8_t> opus = {0xfc};
  CHECK(InspectPayload(CodecKind::kVp8, vp8_key)->is_keyframe);
  CHECK(InspectPayload(CodecKind::kVp9, vp9_key)->is_keyframe);
  CHECK(InspectPayload(CodecKind::kH264, h264_idr)->is_keyframe);
  CHECK(InspectPayload(CodecKind::kAv1, av1_key)->is_keyframe);
  auto audio = InspectPayload(CodecKind::kOpus, opus);
  REQUIRE(audio.ok());
  CHECK(audio->is_keyframe);
  CHECK(audio->begins_frame);
  CHECK(audio->ends_frame);
  for (auto codec : {CodecKind::kOpus, CodecKind::kVp8, CodecKind::kVp9, CodecKind::kH264, CodecKind::kAv1}) {
    CAPTURE(ToString(codec));
    CHECK(InspectPayload(codec, {}).error() == CodecError::kEmpty);
  }
  for (size_t i = 0; i < static_cast<size_t>(CodecError::kCount); ++i)
    CHECK(std::string(ToString(static_cast<CodecError>(i))) != "unknown");
}

TEST_CASE("InspectPayload passes real Opus packets through") {
  for (const char* file : {"mediasoup_test_data/packet1.raw", "mediasoup_test_data/packet3.raw",
                           "aiortc/rtp_with_sdes_mid.bin"}) {
    CAPTURE(file);
    auto bytes = cascade::test::ReadBinary(std::string("rtp/") + file);
    auto packet = cascade::rtp::RtpPacket::Parse(bytes);
    REQUIRE(packet.ok());
    CHECK(packet->payload_type() == 111);
    auto info = InspectPayload(CodecKind::kOpus, packet->payload());
    REQUIRE(info.ok());
    CHECK(info->is_keyframe);
  }
}
