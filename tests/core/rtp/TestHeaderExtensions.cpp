#include "core/rtp/HeaderExtensions.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/rtp/RtpPacket.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"
#include "tests/TestData.hpp"

using namespace cascade::rtp;

TEST_CASE("ExtensionUri maps every SDP extmap URI both ways") {
  const std::vector<std::pair<const char*, ExtensionUri>> table = {
      {"urn:ietf:params:rtp-hdrext:sdes:mid", ExtensionUri::kMid},
      {"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
       ExtensionUri::kTransportWideCc},
      {"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", ExtensionUri::kAbsSendTime},
      {"urn:ietf:params:rtp-hdrext:ssrc-audio-level", ExtensionUri::kAudioLevel},
      {"urn:3gpp:video-orientation", ExtensionUri::kVideoOrientation},
      {"http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time", ExtensionUri::kAbsCaptureTime},
      {"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", ExtensionUri::kRid},
      {"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", ExtensionUri::kRepairedRid},
      {"https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
       ExtensionUri::kDependencyDescriptor},
  };
  for (const auto& entry : table) {
    const auto& [uri, kind] = entry;
    const char* label = uri;
    CAPTURE(label);
    CHECK(ExtensionUriFromString(uri) == kind);
    CHECK(ToUri(kind) == uri);
    CHECK(std::string(ToString(kind)) != "unknown");
  }
  CHECK(ExtensionUriFromString("urn:ietf:params:rtp-hdrext:toffset") == ExtensionUri::kUnknown);
  CHECK(ExtensionUriFromString("urn:ietf:params:rtp-hdrext:sdes:mi") == ExtensionUri::kUnknown);
  CHECK(ToUri(ExtensionUri::kUnknown).empty());
}

TEST_CASE("Extension values of a Chrome-like video packet read and rewrite in place") {
  const uint8_t mid[] = {'1'};
  const uint8_t rid[] = {'h', 'i'};
  const uint8_t abs[] = {0x12, 0x34, 0x56};
  const uint8_t twcc[] = {0xce, 0xab};
  const uint8_t cvo[] = {0x09};  // back camera, no flip, 90 degrees
  const uint8_t level[] = {0x80 | 90};
  const uint8_t capture[] = {1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
  const uint8_t payload[] = {0x90, 0x80, 0x01, 0x02, 0x03};
  std::vector<uint8_t> buffer(200);
  auto size = RtpPacketBuilder(buffer)
                  .SetPayloadType(96)
                  .SetSsrc(1)
                  .AddExtension(4, mid)
                  .AddExtension(10, rid)
                  .AddExtension(2, abs)
                  .AddExtension(3, twcc)
                  .AddExtension(13, cvo)
                  .AddExtension(1, level)
                  .AddExtension(7, capture)
                  .SetPayload(payload)
                  .Build();
  REQUIRE(size.ok());
  buffer.resize(*size);
  auto p = RtpPacket::Parse(buffer);
  REQUIRE(p.ok());
  CHECK(p->extension_form() == ExtensionForm::kOneByte);
  CHECK(ReadSdesString(p->FindExtension(4)) == "1");
  CHECK(ReadSdesString(p->FindExtension(10)) == "hi");
  CHECK(ReadAbsSendTime(p->FindExtension(2)) == 0x123456u);
  CHECK(ReadTransportSequenceNumber(p->FindExtension(3)) == 0xceab);
  auto orientation = ReadVideoOrientation(p->FindExtension(13));
  REQUIRE(orientation);
  CHECK(orientation->back_camera);
  CHECK_FALSE(orientation->flip);
  CHECK(orientation->rotation_degrees == 90);
  auto audio = ReadAudioLevel(p->FindExtension(1));
  REQUIRE(audio);
  CHECK(audio->voice_activity);
  CHECK(audio->level == 90);
  auto time = ReadAbsCaptureTime(p->FindExtension(7));
  REQUIRE(time);
  CHECK(time->ntp_timestamp == 0x0102030405060708ull);
  CHECK(time->estimated_capture_clock_offset == -2);

  CHECK(WriteTransportSequenceNumber(p->FindMutableExtension(3), 0x0102));
  CHECK(WriteAbsSendTime(p->FindMutableExtension(2), 0xabcdef));
  CHECK(WriteVideoOrientation(p->FindMutableExtension(13), {false, true, 270}));
  CHECK(WriteAudioLevel(p->FindMutableExtension(1), {false, 127}));
  CHECK(WriteAbsCaptureTime(p->FindMutableExtension(7), {42, int64_t{7}}));
  auto q = RtpPacket::Parse(buffer);
  REQUIRE(q.ok());
  CHECK(ReadTransportSequenceNumber(q->FindExtension(3)) == 0x0102);
  CHECK(ReadAbsSendTime(q->FindExtension(2)) == 0xabcdefu);
  CHECK(ReadVideoOrientation(q->FindExtension(13))->rotation_degrees == 270);
  CHECK(ReadVideoOrientation(q->FindExtension(13))->flip);
  CHECK(ReadAudioLevel(q->FindExtension(1))->level == 127);
  CHECK(ReadAbsCaptureTime(q->FindExtension(7))->estimated_capture_clock_offset == 7);
  CHECK(std::equal(q->payload().begin(), q->payload().end(), payload));

  // Writers never change a value's size.
  CHECK_FALSE(WriteTransportSequenceNumber(p->FindMutableExtension(2), 1));
  CHECK_FALSE(WriteAbsCaptureTime(p->FindMutableExtension(7), {42, std::nullopt}));
  CHECK_FALSE(WriteVideoOrientation(p->FindMutableExtension(13), {false, false, 45}));
  CHECK_FALSE(WriteAudioLevel(p->FindMutableExtension(1), {false, 128}));
}

TEST_CASE("Extension readers reject malformed values") {
  const std::vector<uint8_t> none;
  const std::vector<uint8_t> one = {0x01};
  const std::vector<uint8_t> two = {0x01, 0x02};
  const std::vector<uint8_t> nine(9, 0);
  CHECK_FALSE(ReadSdesString(none));
  CHECK_FALSE(ReadSdesString(std::vector<uint8_t>{0, 0}));
  CHECK(ReadSdesString(std::vector<uint8_t>{'a', 0}) == "a");
  CHECK_FALSE(ReadAbsSendTime(two));
  CHECK_FALSE(ReadTransportSequenceNumber(one));
  CHECK_FALSE(ReadAudioLevel(two));
  CHECK_FALSE(ReadVideoOrientation(none));
  CHECK_FALSE(ReadAbsCaptureTime(nine));
  CHECK(ReadAbsCaptureTime(std::vector<uint8_t>(8, 0))->estimated_capture_clock_offset == std::nullopt);
}

TEST_CASE("Real packets carry the extension values their decodes show") {
  // mediasoup packet3: id 1 is the Opus audio level 0xd0 (V=1, 80 -dBov).
  auto bytes = cascade::test::ReadBinary("rtp/mediasoup_test_data/packet3.raw");
  auto p = RtpPacket::Parse(bytes);
  REQUIRE(p.ok());
  auto level = ReadAudioLevel(p->FindExtension(1));
  REQUIRE(level);
  CHECK(level->voice_activity);
  CHECK(level->level == 0x50);
  CHECK(ReadAbsSendTime(p->FindExtension(3)) == 0x65341eu);
  // aiortc padding-only probe: id 2 is abs-send-time.
  auto probe = cascade::test::ReadBinary("rtp/aiortc/rtp_only_padding_with_header_extensions.bin");
  auto q = RtpPacket::Parse(probe);
  REQUIRE(q.ok());
  CHECK(ReadAbsSendTime(q->FindExtension(2)) == 0xf1cc8cu);
}

TEST_CASE("AbsSendTimeFromUs is 6.18 fixed point modulo 64 s") {
  CHECK(AbsSendTimeFromUs(0) == 0u);
  CHECK(AbsSendTimeFromUs(1'000'000) == (1u << 18));
  CHECK(AbsSendTimeFromUs(500'000) == (1u << 17));
  CHECK(AbsSendTimeFromUs(64'000'000) == 0u);
  CHECK(AbsSendTimeFromUs(65'000'000) == (1u << 18));
  CHECK(AbsSendTimeFromUs(63'999'999) <= 0xffffffu);
}
