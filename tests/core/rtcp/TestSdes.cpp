#include "core/rtcp/Sdes.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;
using cascade::rtcp::test::Fixture;

namespace {

struct ChunkCopy {
  uint32_t ssrc;
  std::vector<SdesItem> items;
};

std::vector<ChunkCopy> Collect(const Sdes& sdes) {
  std::vector<ChunkCopy> chunks;
  auto reader = sdes.chunks();
  SdesChunk chunk;
  while (reader.Next(chunk)) {
    ChunkCopy copy{chunk.ssrc, {}};
    Sdes::ItemReader items(chunk);
    SdesItem item;
    while (items.Next(item)) copy.items.push_back(item);
    chunks.push_back(copy);
  }
  return chunks;
}

std::vector<uint8_t> Rebuild(const std::vector<ChunkCopy>& chunks) {
  std::vector<Sdes::ChunkFields> fields;
  for (const ChunkCopy& c : chunks) fields.push_back({c.ssrc, c.items});
  std::vector<uint8_t> out(1500);
  ByteWriter writer(out);
  auto size = Sdes::Build(fields, writer);
  REQUIRE(size.ok());
  out.resize(*size);
  return out;
}

}  // namespace

TEST_CASE("Sdes parses CNAME chunks and rebuilds them byte for byte") {
  struct Case {
    std::string file;
    uint32_t ssrc;
    std::string cname;
  };
  const Case cases[] = {
      {"aiortc/rtcp_sdes.bin", 1831097322u, "{63f459ea-41fe-4474-9d33-9707c9ee79d1}"},  // aiortc test_sdes
      {"mediasoup/019_TestSdes_buffer1.bin", 2674255682u, "t7mkYnCm46OcINy/"},          // mediasoup buffer1
      {"pion_rtcp/011_TestPrint.bin", 0x2b7ec0c5u, "LcIfzXonDordSeW6"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto sdes = Sdes::Parse(packet);
    REQUIRE(sdes.ok());
    auto chunks = Collect(*sdes);
    REQUIRE(chunks.size() == 1);
    CHECK(chunks[0].ssrc == c.ssrc);
    REQUIRE(chunks[0].items.size() == 1);
    CHECK(chunks[0].items[0].type == Sdes::kCname);
    CHECK(chunks[0].items[0].text == c.cname);
    CHECK(Rebuild(chunks) == bytes);
  }
}

TEST_CASE("Sdes parses mediasoup's LOC-only chunk (buffer3)") {
  auto bytes = Fixture("mediasoup/021_TestSdes_buffer3.bin");
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  auto sdes = Sdes::Parse(packet);
  REQUIRE(sdes.ok());
  auto chunks = Collect(*sdes);
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].ssrc == 0x11223344u);
  REQUIRE(chunks[0].items.size() == 1);
  CHECK(chunks[0].items[0] == SdesItem{Sdes::kLoc, "ab"});
  CHECK(Rebuild(chunks) == bytes);
}

TEST_CASE("Sdes: mediasoup buffer2 has P set with a zero padding count") {
  // mediasoup ignores the P bit; RFC 3550 §6.4.1 makes a zero count invalid, so the
  // compound is dropped. With P cleared the chunks are mediasoup's expected ones.
  auto bytes = Fixture("mediasoup/020_TestSdes_buffer2.bin");
  CHECK(CompoundReader::Validate(bytes).error() == RtcpError::kBadPadding);
  bytes[0] &= ~0x20;
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  auto sdes = Sdes::Parse(packet);
  REQUIRE(sdes.ok());
  auto chunks = Collect(*sdes);
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].ssrc == 1234u);
  REQUIRE(chunks[0].items.size() == 2);
  CHECK(chunks[0].items[0] == SdesItem{Sdes::kCname, "qwerty"});
  CHECK(chunks[0].items[1] == SdesItem{Sdes::kTool, "iñaki"});
  CHECK(chunks[1].ssrc == 5678u);
  REQUIRE(chunks[1].items.size() == 1);
  CHECK(chunks[1].items[0] == SdesItem{Sdes::kLoc, "somewhere œæ€"});
  SdesChunk first;
  auto reader = sdes->chunks();
  REQUIRE(reader.Next(first));
  CHECK(Sdes::FindItem(first, Sdes::kTool) == std::optional<std::string_view>("iñaki"));
  CHECK_FALSE(Sdes::FindItem(first, Sdes::kEmail).has_value());
}

TEST_CASE("Sdes rejects malformed chunks") {
  struct Case {
    std::string file;
    RtcpError error;
  };
  const Case cases[] = {
      {"aiortc/rtcp_sdes_item_truncated.bin", RtcpError::kSdesItemTruncated},
      {"aiortc/rtcp_sdes_source_truncated.bin", RtcpError::kSdesChunkTruncated},
      {"mediasoup/022_TestSdes_parsing_a_packet_with_missing_null_octects_fails_buffer.bin",
       RtcpError::kSdesMissingTerminator},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto sdes = Sdes::Parse(packet);
    REQUIRE_FALSE(sdes.ok());
    CHECK(sdes.error() == c.error);
  }
  // Terminator present but the padding to 32 bits is missing: 81ca0002 ssrc 01 01 'a' 00.
  auto bytes = test::Hex(
      "81ca000211223344"
      "01016100");
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  CHECK(Sdes::Parse(packet).ok());  // ends exactly on a boundary: valid
  bytes = test::Hex(
      "81ca000211223344"
      "01026162");
  REQUIRE(test::FirstPacket(bytes, packet));
  CHECK(Sdes::Parse(packet).error() == RtcpError::kSdesMissingTerminator);
}

TEST_CASE("Sdes builder pads each chunk and checks item sizes") {
  std::string long_text(256, 'x');
  std::vector<SdesItem> items{{Sdes::kCname, long_text}};
  std::vector<Sdes::ChunkFields> chunks{{1, items}};
  std::vector<uint8_t> out(600);
  ByteWriter writer(out);
  CHECK(Sdes::Build(chunks, writer).error() == RtcpError::kInvalidArgument);

  // 2-byte item header + 2 bytes of text + terminator pads to 8 bytes after the SSRC.
  std::vector<SdesItem> small{{Sdes::kName, "ab"}};
  std::vector<Sdes::ChunkFields> one{{7, small}};
  ByteWriter writer2(out);
  auto size = Sdes::Build(one, writer2);
  REQUIRE(size.ok());
  CHECK(*size == 16);
}
