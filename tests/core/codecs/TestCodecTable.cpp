#include "core/codecs/CodecTable.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "core/codecs/PayloadInspector.hpp"

using namespace cascade::codecs;

TEST_CASE("CodecTable has one row per CodecKind, in kind order, with unique names") {
  REQUIRE(AllCodecs().size() == static_cast<size_t>(CodecKind::kCount));
  std::set<std::string> names;
  std::set<std::string> sdp_names;
  for (size_t i = 0; i < AllCodecs().size(); ++i) {
    const CodecDescription& codec = AllCodecs()[i];
    CAPTURE(codec.name);
    CHECK(static_cast<size_t>(codec.kind) == i);
    CHECK(&Describe(codec.kind) == &codec);
    CHECK(names.insert(codec.name).second);
    CHECK(sdp_names.insert(codec.sdp_name).second);
    CHECK(static_cast<bool>(codec.inspect));
    CHECK(codec.clock_rate > 0);
    CHECK((codec.media == MediaType::kAudio) == (codec.channels != 0));
    CHECK(std::string(ToString(codec.kind)) == codec.name);
  }
  CHECK(std::string(ToString(CodecKind::kCount)) == "unknown");
}

TEST_CASE("CodecTable keeps the names other nodes and browsers rely on") {
  // Link announces carry `name` between nodes of different versions: these must not change.
  CHECK(std::string(Describe(CodecKind::kOpus).name) == "opus");
  CHECK(std::string(Describe(CodecKind::kVp8).name) == "vp8");
  CHECK(std::string(Describe(CodecKind::kVp9).name) == "vp9");
  CHECK(std::string(Describe(CodecKind::kH264).name) == "h264");
  CHECK(std::string(Describe(CodecKind::kAv1).name) == "av1");
  CHECK(RtpMapValue(Describe(CodecKind::kOpus)) == "opus/48000/2");  // RFC 7587 §7
  CHECK(RtpMapValue(Describe(CodecKind::kVp8)) == "VP8/90000");
  CHECK(RtpMapValue(Describe(CodecKind::kH264)) == "H264/90000");
  CHECK(std::string(Describe(CodecKind::kVp9).profile_fmtp_key) == "profile-id");
  CHECK(std::string(Describe(CodecKind::kAv1).profile_fmtp_key) == "profile");
}

TEST_CASE("CodecTable finds SDP names case-insensitively and nothing else") {
  CHECK(FindCodecBySdpName("VP8")->kind == CodecKind::kVp8);
  CHECK(FindCodecBySdpName("vp8")->kind == CodecKind::kVp8);
  CHECK(FindCodecBySdpName("OPUS")->kind == CodecKind::kOpus);
  CHECK(FindCodecBySdpName("h264")->kind == CodecKind::kH264);
  CHECK(FindCodecBySdpName("Av1")->kind == CodecKind::kAv1);
  for (const char* unknown : {"H265", "PCMU", "rtx", "red", "ulpfec", "VP8 ", "", "VP"}) {
    CAPTURE(unknown);
    CHECK(FindCodecBySdpName(unknown) == nullptr);
  }
  // Stable names are exact: what one node writes, the next reads.
  CHECK(FindCodecByName("vp9")->kind == CodecKind::kVp9);
  CHECK(FindCodecByName("VP9") == nullptr);
  CHECK(FindCodecByName("h265") == nullptr);
}

TEST_CASE("InspectPayload runs the table row's inspector") {
  const std::vector<uint8_t> vp8_key = {0x10, 0x50};
  for (const auto& codec : AllCodecs()) {
    CAPTURE(codec.name);
    auto direct = codec.inspect(vp8_key);
    auto dispatched = InspectPayload(codec.kind, vp8_key);
    REQUIRE(direct.ok() == dispatched.ok());
    if (direct.ok()) CHECK(direct->is_keyframe == dispatched->is_keyframe);
  }
  CHECK(InspectPayload(CodecKind::kCount, vp8_key).error() == CodecError::kUnknownCodec);
  CHECK(std::string(ToString(CodecError::kUnknownCodec)) == "unknown_codec");
}
