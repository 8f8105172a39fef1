#include "core/rtp/RtpPacket.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/TestData.hpp"
#include "tests/core/rtp/RtpTestUtil.hpp"

using cascade::rtp::ExtensionForm;
using cascade::rtp::RtpError;
using cascade::rtp::RtpPacket;
using cascade::rtp::test::FromHex;
using cascade::rtp::test::Rebuild;

namespace {

struct Ext {
  uint8_t id;
  std::string hex;
};

struct Case {
  const char* file;
  std::optional<RtpError> error;
  ExtensionForm form = ExtensionForm::kNone;
  std::vector<Ext> extensions = {};
  size_t payload = 0;
  size_t padding = 0;
  size_t csrcs = 0;
};

// pion/rtp packet_test.go fixtures (tests/data/rtp/pion/index.json); every one shares the
// header 9?e0 698f d9c293da 1c642782.
const std::vector<Case> kPionCases = {
    {"003_TestBasic.bin", std::nullopt, ExtensionForm::kOpaque, {}, 5},
    {"004_TestBasic.bin", std::nullopt, ExtensionForm::kOpaque, {}, 1, 4},
    {"005_TestBasic.bin", std::nullopt, ExtensionForm::kOpaque, {}, 0, 5},
    {"006_TestBasic.bin", RtpError::kPaddingZero},
    {"007_TestBasic.bin", RtpError::kPaddingOverrun},
    {"008_TestBasic.bin", std::nullopt, ExtensionForm::kOpaque, {}, 1, 4},
    {"009_TestBasic.bin", std::nullopt, ExtensionForm::kOpaque, {}, 0, 5},
    {"010_TestBasic.bin", std::nullopt, ExtensionForm::kOneByte, {{1, "aa"}}, 1, 4},
    {"011_TestBasic.bin", std::nullopt, ExtensionForm::kNone, {}, 1, 4},
    {"012_TestExtension.bin", RtpError::kExtensionOverrun},
    {"013_TestExtension.bin", RtpError::kExtensionOverrun},
    {"014_TestRFC8285OneByteExtension.bin", std::nullopt, ExtensionForm::kOneByte, {{5, "aa"}}, 5},
    {"015_TestRFC8285OneByteTwoExtensionOfTwoBytes.bin",
     std::nullopt,
     ExtensionForm::kOneByte,
     {{1, "aa"}, {2, "bb"}},
     5},
    {"016_TestRFC8285OneByteMultipleExtensionsWithPadding.bin",
     std::nullopt,
     ExtensionForm::kOneByte,
     {{1, "aa"}, {2, "bbbb"}, {3, "cccccccc"}},
     5},
    {"017_TestRFC8285OneByteMultipleExtensionsWithPadding.bin",
     std::nullopt,
     ExtensionForm::kOneByte,
     {{1, "aa"}, {2, "bbbb"}, {3, "cccccccc"}},
     5},
    {"018_TestRFC8285TwoByteExtension.bin",
     std::nullopt,
     ExtensionForm::kTwoByte,
     {{5, std::string(48, 'a')}},
     5},
    {"020_TestRFC8285TwoByteMultipleExtensionsWithPadding.bin",
     std::nullopt,
     ExtensionForm::kTwoByte,
     {{1, ""}, {2, "bb"}, {3, "cccccccc"}},
     5},
    {"021_TestRFC8285TwoByteMultipleExtensionsWithPadding.bin",
     std::nullopt,
     ExtensionForm::kTwoByte,
     {{1, ""}, {2, "bb"}, {3, "cccccccc"}},
     5},
    {"022_TestRFC8285TwoByteMultipleExtensionsWithLargeExtension.bin",
     std::nullopt,
     ExtensionForm::kTwoByte,
     {{1, ""}, {2, "bb"}, {3, std::string(34, 'c')}},
     5},
    // RFC 8285 §4.2: id 15 stops processing; an id-0 byte with a length is not padding.
    {"024_TestRFC8285OneByteExtensionTerminateProcessingWhenReservedIDEncountered.bin",
     std::nullopt,
     ExtensionForm::kOneByte,
     {},
     3},
    {"025_TestRFC8285OneByteExtensionTerminateProcessingWhenPaddingWithSizeEncountered.bin",
     std::nullopt,
     ExtensionForm::kOneByte,
     {},
     3},
    {"029_TestUnmarshal_ErrorHandling.bin", RtpError::kCsrcOverrun},
    {"030_TestUnmarshal_ErrorHandling.bin", RtpError::kExtensionOverrun},
    {"031_TestUnmarshal_ErrorHandling.bin", RtpError::kExtensionOverrun},
    {"032_TestUnmarshal_ErrorHandling.bin", RtpError::kExtensionOverrun},
    {"036_TestMarshalToPanic.bin", std::nullopt, ExtensionForm::kOneByte, {{5, "aa"}}, 4},
    {"037_TestMarshalToPanic.bin", std::nullopt, ExtensionForm::kOneByte, {{5, "aa"}}, 4, 0, 2},
};

void CheckCase(const Case& c, std::vector<uint8_t> bytes) {
  CAPTURE(c.file);
  auto parsed = RtpPacket::Parse(bytes);
  if (c.error) {
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error() == *c.error);
    return;
  }
  REQUIRE(parsed.ok());
  const RtpPacket& p = *parsed;
  CHECK(p.extension_form() == c.form);
  CHECK(p.payload_size() == c.payload);
  CHECK(p.padding_size() == c.padding);
  CHECK(p.csrc_count() == c.csrcs);
  CHECK(p.header_size() + p.payload_size() + p.padding_size() == bytes.size());
  REQUIRE(p.extensions().size() == c.extensions.size());
  for (const auto& e : c.extensions) {
    CAPTURE(int(e.id));
    CHECK(p.HasExtension(e.id));
    auto expected = FromHex(e.hex);
    auto value = p.FindExtension(e.id);
    CHECK(std::vector<uint8_t>(value.begin(), value.end()) == expected);
  }
}

}  // namespace

TEST_CASE("RtpPacket parses the pion fixtures and rejects the broken ones") {
  for (const auto& c : kPionCases) {
    auto bytes = cascade::test::ReadBinary(std::string("rtp/pion/") + c.file);
    CheckCase(c, bytes);
    auto parsed = RtpPacket::Parse(bytes);
    if (!parsed) continue;
    CHECK(parsed->sequence_number() == 0x698f);
    CHECK(parsed->timestamp() == 0xd9c293da);
    CHECK(parsed->ssrc() == 0x1c642782);
    CHECK(parsed->payload_type() == 96);
  }
}

TEST_CASE("RtpPacket reads pion CSRCs and opaque profiles") {
  auto bytes = cascade::test::ReadBinary("rtp/pion/037_TestMarshalToPanic.bin");
  auto p = RtpPacket::Parse(bytes);
  REQUIRE(p.ok());
  CHECK(p->csrc(0) == 0x1111);
  CHECK(p->csrc(1) == 0x2222);
  auto opaque = cascade::test::ReadBinary("rtp/pion/035_TestSetExtensionWithProfile.bin");
  auto q = RtpPacket::Parse(opaque);
  REQUIRE(q.ok());
  CHECK(q->extension_profile() == 0x0001);
  CHECK(q->extension_block().size() == 4);
  CHECK(q->extensions().empty());
  auto two = cascade::test::ReadBinary("rtp/pion/033_TestSetExtensionWithProfile.bin");
  auto r = RtpPacket::Parse(two);
  REQUIRE(r.ok());
  CHECK(r->extension_form() == ExtensionForm::kTwoByte);
  CHECK(r->FindExtension(1).size() == 2);
  CHECK(r->payload_size() == 0);
}

TEST_CASE("RtpPacket parses the mediasoup fixtures") {
  const std::vector<Case> cases = {
      {"000_TestRtpPacket_create_RtpPacket_without_header_extension_buffer.bin", std::nullopt},
      {"001_TestRtpPacket_create_RtpPacket_with_One_Byte_header_extension_buffer.bin",
       std::nullopt,
       ExtensionForm::kOneByte,
       {{1, "ff"}, {2, "ffff"}, {3, "ffffffff"}}},
      {"002_TestRtpPacket_create_RtpPacket_with_Two_Bytes_header_extension_buffer.bin",
       std::nullopt,
       ExtensionForm::kTwoByte,
       {{1, ""}, {2, "42"}, {3, "1122"}, {4, ""}}},
      {"003_TestRtpPacket_rtx_encryption_decryption_buffer.bin",
       std::nullopt,
       ExtensionForm::kTwoByte,
       {{1, ""}, {2, "ff"}, {3, "ffffffff"}},
       4},
      // These buffers are larger than the packet inside; as a whole their last byte is a
      // zero padding count.
      {"004_TestRtpPacket_create_RtpPacket_and_apply_payload_shift_to_it_buffer.bin", RtpError::kPaddingZero},
      {"005_TestRtpPacket_set_One_Byte_header_extensions_buffer.bin", RtpError::kPaddingZero},
      {"007_TestRtpPacket_read_frame_marking_extension_buffer.bin",
       std::nullopt,
       ExtensionForm::kOneByte,
       {{3, "ab0105"}},
       4},
  };
  for (const auto& c : cases) {
    auto bytes = cascade::test::ReadBinary(std::string("rtp/mediasoup/") + c.file);
    CheckCase(c, bytes);
    auto parsed = RtpPacket::Parse(bytes);
    if (!parsed) continue;
    CHECK(parsed->payload_type() == 1);
    CHECK(parsed->sequence_number() == 8);
    CHECK(parsed->timestamp() == 4);
    CHECK(parsed->ssrc() == 5);
  }
  // The packet inside buffer 004 is its first 40 bytes: 8 payload bytes and 4 of padding.
  auto bytes = cascade::test::ReadBinary(
      "rtp/mediasoup/004_TestRtpPacket_create_RtpPacket_and_apply_payload_shift_to_it_buffer.bin");
  bytes.resize(40);
  CheckCase({"004 (40 bytes)",
             std::nullopt,
             ExtensionForm::kOneByte,
             {{1, "ff"}, {2, "ffff"}, {3, "ffffffff"}},
             8,
             4},
            bytes);
}

TEST_CASE("RtpPacket matches the Wireshark decodes of the mediasoup captures") {
  struct Decode {
    const char* file;
    uint8_t pt;
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    size_t padding;
    std::vector<Ext> extensions;
  };
  const std::vector<Decode> decodes = {
      {"packet1.raw", 111, 23617, 1660241882, 0x9f7108e2, 0, {{1, "ff"}}},
      {"packet3.raw", 111, 19354, 863466045, 0x0e0dfad2, 0, {{3, "65341e"}, {1, "d0"}}},
  };
  for (const auto& d : decodes) {
    CAPTURE(d.file);
    auto bytes = cascade::test::ReadBinary(std::string("rtp/mediasoup_test_data/") + d.file);
    auto p = RtpPacket::Parse(bytes);
    REQUIRE(p.ok());
    CHECK(p->payload_type() == d.pt);
    CHECK_FALSE(p->marker());
    CHECK(p->sequence_number() == d.seq);
    CHECK(p->timestamp() == d.ts);
    CHECK(p->ssrc() == d.ssrc);
    CHECK(p->padding_size() == d.padding);
    REQUIRE(p->extensions().size() == d.extensions.size());
    for (size_t i = 0; i < d.extensions.size(); ++i) {
      CHECK(p->extensions()[i].id == d.extensions[i].id);
      auto v = p->FindExtension(d.extensions[i].id);
      CHECK(std::vector<uint8_t>(v.begin(), v.end()) == FromHex(d.extensions[i].hex));
    }
  }
}

TEST_CASE("RtpPacket rejects the mediasoup capture whose padding count passes its end") {
  // Wireshark decodes packet2.raw (PT 100, seq 28478) with "Padding count: 241", but the
  // datagram has only 228 bytes after its header: RFC 3550 §5.1 makes that invalid.
  auto bytes = cascade::test::ReadBinary("rtp/mediasoup_test_data/packet2.raw");
  REQUIRE(bytes.size() == 240);
  CHECK(bytes.back() == 241);
  auto p = RtpPacket::Parse(bytes);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error() == RtpError::kPaddingOverrun);
  // With its padding bit cleared the header decodes as Wireshark shows.
  bytes[0] &= static_cast<uint8_t>(~0x20);
  auto q = RtpPacket::Parse(bytes);
  REQUIRE(q.ok());
  CHECK(q->payload_type() == 100);
  CHECK(q->sequence_number() == 28478);
  CHECK(q->timestamp() == 172320136u);
  CHECK(q->ssrc() == 0xc5abdf5au);
}

TEST_CASE("RtpPacket matches the aiortc expectations") {
  struct Expect {
    const char* file;
    bool marker;
    uint8_t pt;
    uint16_t seq;
    uint32_t ts;
    size_t payload;
    size_t padding;
    std::vector<uint32_t> csrcs;
  };
  const std::vector<Expect> expects = {
      {"rtp.bin", false, 0, 15743, 3937035252, 160, 0, {}},
      {"rtp_dtmf.bin", true, 101, 24152, 4021352124, 4, 0, {}},
      {"rtp_only_padding.bin", false, 120, 27759, 4044047131, 0, 224, {}},
      {"rtp_only_padding_with_header_extensions.bin", false, 98, 22138, 3171065731, 0, 224, {}},
      {"rtp_with_csrc.bin", false, 0, 16082, 144, 160, 0, {2882400001, 3735928559}},
      {"rtp_with_sdes_mid.bin", true, 111, 14156, 1327210925, 54, 0, {}},
  };
  for (const auto& e : expects) {
    CAPTURE(e.file);
    auto bytes = cascade::test::ReadBinary(std::string("rtp/aiortc/") + e.file);
    auto p = RtpPacket::Parse(bytes);
    REQUIRE(p.ok());
    CHECK(p->marker() == e.marker);
    CHECK(p->payload_type() == e.pt);
    CHECK(p->sequence_number() == e.seq);
    CHECK(p->timestamp() == e.ts);
    CHECK(p->payload_size() == e.payload);
    CHECK(p->padding_size() == e.padding);
    REQUIRE(p->csrc_count() == e.csrcs.size());
    for (size_t i = 0; i < e.csrcs.size(); ++i) CHECK(p->csrc(i) == e.csrcs[i]);
  }
  auto mid = cascade::test::ReadBinary("rtp/aiortc/rtp_with_sdes_mid.bin");
  auto p = RtpPacket::Parse(mid);
  REQUIRE(p.ok());
  auto value = p->FindExtension(9);
  CHECK(std::string(value.begin(), value.end()) == "0");
}

TEST_CASE("RtpPacket rejects truncated and lying packets") {
  auto rtp = cascade::test::ReadBinary("rtp/aiortc/rtp.bin");
  auto padding = cascade::test::ReadBinary("rtp/aiortc/rtp_only_padding.bin");
  auto csrc = cascade::test::ReadBinary("rtp/aiortc/rtp_with_csrc.bin");
  auto mid = cascade::test::ReadBinary("rtp/aiortc/rtp_with_sdes_mid.bin");
  auto cut = [](std::vector<uint8_t> v, size_t n) {
    v.resize(n);
    return v;
  };
  auto with = [](std::vector<uint8_t> v, std::vector<uint8_t> tail) {
    v.insert(v.end(), tail.begin(), tail.end());
    return v;
  };
  auto bad_version = rtp;
  bad_version[0] = 0xc0;
  struct Bad {
    const char* name;
    std::vector<uint8_t> bytes;
    RtpError error;
  };
  const std::vector<Bad> cases = {
      {"empty", {}, RtpError::kTooShort},
      {"11 bytes", cut(rtp, 11), RtpError::kTooShort},
      {"version 3", bad_version, RtpError::kBadVersion},
      {"padding count 2 with 1 byte", with(cut(padding, 12), {0x02}), RtpError::kPaddingOverrun},
      {"padding count 0", with(cut(padding, 12), {0x00}), RtpError::kPaddingZero},
      {"padding bit, no bytes", cut(padding, 12), RtpError::kPaddingOverrun},
      {"CSRC past end", cut(csrc, 16), RtpError::kCsrcOverrun},
      {"extension header past end", cut(mid, 14), RtpError::kExtensionOverrun},
      {"extension block past end", cut(mid, 18), RtpError::kExtensionOverrun},
      {"one-byte element overrun", with(cut(mid, 12), {0xbe, 0xde, 0x00, 0x01, 0x13, 0xaa, 0x00, 0x00}),
       RtpError::kExtensionElementOverrun},
      {"two-byte element overrun", with(cut(mid, 12), {0x10, 0x00, 0x00, 0x01, 0x01, 0x05, 0xaa, 0xaa}),
       RtpError::kExtensionElementOverrun},
      {"two-byte element header cut", with(cut(mid, 12), {0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07}),
       RtpError::kExtensionElementOverrun},
      {"too long", std::vector<uint8_t>(70000, 0x80), RtpError::kTooLong},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto bytes = c.bytes;
    auto p = RtpPacket::Parse(bytes);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error() == c.error);
    CHECK(std::string(cascade::rtp::ToString(c.error)) != "unknown");
  }
}

TEST_CASE("RtpPacket rejects more elements than it can index") {
  std::vector<uint8_t> bytes = FromHex("900000010000000200000003");
  const size_t elements = RtpPacket::kMaxExtensions + 1;
  bytes.push_back(0xbe);
  bytes.push_back(0xde);
  bytes.push_back(0);
  bytes.push_back(static_cast<uint8_t>((elements * 2 + 3) / 4));
  for (size_t i = 0; i < elements; ++i) {
    bytes.push_back(static_cast<uint8_t>(((i % 14) + 1) << 4));
    bytes.push_back(0x55);
  }
  while ((bytes.size() - 16) % 4 != 0) bytes.push_back(0);
  auto p = RtpPacket::Parse(bytes);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error() == RtpError::kTooManyExtensions);
}

TEST_CASE("RtpPacket rewrites header fields in place") {
  auto bytes = cascade::test::ReadBinary("rtp/mediasoup_test_data/packet3.raw");
  const auto original = bytes;
  auto p = RtpPacket::Parse(bytes);
  REQUIRE(p.ok());
  p->SetSsrc(0xdeadbeef);
  p->SetSequenceNumber(65535);
  p->SetTimestamp(0xfffffffe);
  p->SetPayloadType(96);
  p->SetMarker(true);
  auto q = RtpPacket::Parse(bytes);
  REQUIRE(q.ok());
  CHECK(q->ssrc() == 0xdeadbeef);
  CHECK(q->sequence_number() == 65535);
  CHECK(q->timestamp() == 0xfffffffe);
  CHECK(q->payload_type() == 96);
  CHECK(q->marker());
  // Nothing but bytes 1..11 changed.
  CHECK(bytes[0] == original[0]);
  CHECK(std::equal(bytes.begin() + 12, bytes.end(), original.begin() + 12));
  p->SetMarker(false);
  CHECK_FALSE(p->marker());
  CHECK(p->payload_type() == 96);
}

TEST_CASE("RtpPacket remaps extension ids and drops unmapped ones as padding") {
  SUBCASE("one-byte") {
    auto bytes =
        cascade::test::ReadBinary("rtp/pion/016_TestRFC8285OneByteMultipleExtensionsWithPadding.bin");
    const auto original = bytes;
    auto p = RtpPacket::Parse(bytes);
    REQUIRE(p.ok());
    std::array<uint8_t, 256> map{};
    map[1] = 5;
    map[3] = 14;
    auto kept = p->RemapExtensionIds(map);
    REQUIRE(kept.ok());
    CHECK(*kept == 2);
    CHECK(p->FindExtension(5).size() == 1);
    CHECK_FALSE(p->HasExtension(1));
    CHECK_FALSE(p->HasExtension(2));
    auto q = RtpPacket::Parse(bytes);
    REQUIRE(q.ok());
    REQUIRE(q->extensions().size() == 2);
    CHECK(q->extensions()[0].id == 5);
    CHECK(q->FindExtension(5)[0] == 0xaa);
    CHECK(q->extensions()[1].id == 14);
    CHECK(q->FindExtension(14).size() == 4);
    CHECK(q->FindExtension(14)[3] == 0xcc);
    CHECK(std::equal(q->payload().begin(), q->payload().end(), original.end() - 5));
    CHECK(q->header_size() == original.size() - 5);
  }
  SUBCASE("one-byte cannot carry id 15 and stays untouched") {
    auto bytes = cascade::test::ReadBinary("rtp/pion/015_TestRFC8285OneByteTwoExtensionOfTwoBytes.bin");
    const auto original = bytes;
    auto p = RtpPacket::Parse(bytes);
    REQUIRE(p.ok());
    std::array<uint8_t, 256> map{};
    map[1] = 2;
    map[2] = 15;
    auto kept = p->RemapExtensionIds(map);
    REQUIRE_FALSE(kept.ok());
    CHECK(kept.error() == RtpError::kInvalidExtensionId);
    CHECK(bytes == original);
    CHECK(p->HasExtension(1));
  }
  SUBCASE("two-byte") {
    auto bytes =
        cascade::test::ReadBinary("rtp/pion/020_TestRFC8285TwoByteMultipleExtensionsWithPadding.bin");
    auto p = RtpPacket::Parse(bytes);
    REQUIRE(p.ok());
    std::array<uint8_t, 256> map{};
    map[2] = 200;
    map[3] = 3;
    REQUIRE(p->RemapExtensionIds(map).ok());
    auto q = RtpPacket::Parse(bytes);
    REQUIRE(q.ok());
    REQUIRE(q->extensions().size() == 2);
    CHECK(q->FindExtension(200).size() == 1);
    CHECK(q->FindExtension(3).size() == 4);
    CHECK_FALSE(q->HasExtension(1));
  }
}

TEST_CASE("RtpPacketBuilder round-trips canonical real packets byte for byte") {
  const std::vector<std::string> files = {
      "aiortc/rtp.bin",
      "aiortc/rtp_dtmf.bin",
      "aiortc/rtp_with_csrc.bin",
      "aiortc/rtp_with_sdes_mid.bin",
      "mediasoup_test_data/packet1.raw",
      "mediasoup_test_data/packet3.raw",
      "mediasoup_test_data/H264_SVC/I0-5.bin",
      "mediasoup_test_data/H264_SVC/I1-15.bin",
      "mediasoup/000_TestRtpPacket_create_RtpPacket_without_header_extension_buffer.bin",
      "mediasoup/007_TestRtpPacket_read_frame_marking_extension_buffer.bin",
      "pion/003_TestBasic.bin",
      "pion/008_TestBasic.bin",
      "pion/010_TestBasic.bin",
      "pion/011_TestBasic.bin",
      "pion/014_TestRFC8285OneByteExtension.bin",
      "pion/015_TestRFC8285OneByteTwoExtensionOfTwoBytes.bin",
      "pion/018_TestRFC8285TwoByteExtension.bin",
      "pion/037_TestMarshalToPanic.bin",
  };
  for (const auto& file : files) {
    CAPTURE(file);
    auto bytes = cascade::test::ReadBinary("rtp/" + file);
    auto p = RtpPacket::Parse(bytes);
    REQUIRE(p.ok());
    std::vector<uint8_t> rebuilt;
    auto built = Rebuild(*p, rebuilt);
    REQUIRE(built.ok());
    CHECK(rebuilt == bytes);
  }
}

TEST_CASE("RtpPacketBuilder keeps the aiortc padding-only packet's header and count") {
  auto bytes = cascade::test::ReadBinary("rtp/aiortc/rtp_only_padding_with_header_extensions.bin");
  auto p = RtpPacket::Parse(bytes);
  REQUIRE(p.ok());
  std::vector<uint8_t> rebuilt;
  REQUIRE(Rebuild(*p, rebuilt).ok());
  REQUIRE(rebuilt.size() == bytes.size());
  CHECK(std::equal(rebuilt.begin(), rebuilt.begin() + 20, bytes.begin()));
  CHECK(rebuilt.back() == bytes.back());
}
