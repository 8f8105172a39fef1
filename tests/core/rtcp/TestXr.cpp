#include "core/rtcp/Xr.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;
using cascade::rtcp::test::Fixture;

namespace {

std::vector<XrBlock> Blocks(const Xr& xr) {
  std::vector<XrBlock> blocks;
  auto reader = xr.blocks();
  XrBlock block;
  while (reader.Next(block)) blocks.push_back(block);
  return blocks;
}

}  // namespace

TEST_CASE("Xr parses pion's report with every RFC 3611 block type and rebuilds it") {
  auto bytes = Fixture("pion_rtcp/004_top.bin");
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  auto xr = Xr::Parse(packet);
  REQUIRE(xr.ok());
  CHECK(xr->sender_ssrc() == 0x01020304u);
  auto blocks = Blocks(*xr);
  std::vector<uint8_t> types;
  for (const auto& b : blocks) types.push_back(b.type);
  CHECK(types == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7});
  CHECK(Xr::RrtrNtp(blocks[3]) == 0x0102030405060708ull);
  REQUIRE(Xr::DlrrCount(blocks[4]) == 3);
  CHECK(Xr::DlrrAt(blocks[4], 0) == DlrrItem{0x88888888u, 0x12345678u, 0x99999999u});
  CHECK(Xr::DlrrAt(blocks[4], 1) == DlrrItem{0x09090909u, 0x12345678u, 0x99999999u});
  CHECK(Xr::DlrrAt(blocks[4], 2) == DlrrItem{0x11223344u, 0x12345678u, 0x99999999u});

  std::vector<uint8_t> out(1500);
  ByteWriter writer(out);
  auto size = Xr::Build(xr->sender_ssrc(), blocks, writer);
  REQUIRE(size.ok());
  out.resize(*size);
  CHECK(out == bytes);
}

TEST_CASE("Xr parses mediasoup's padded DLRR report (TestXr)") {
  auto bytes = Fixture("mediasoup/024_TestXr_buffer.bin");
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  auto xr = Xr::Parse(packet);
  REQUIRE(xr.ok());
  CHECK(xr->sender_ssrc() == 1569920308u);
  auto blocks = Blocks(*xr);
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].type == Xr::kDlrr);
  REQUIRE(Xr::DlrrCount(blocks[0]) == 2);
  DlrrItem items[] = {Xr::DlrrAt(blocks[0], 0), Xr::DlrrAt(blocks[0], 1)};
  CHECK(items[0] == DlrrItem{0x11121314u, 0x00110011u, 0x11001100u});
  CHECK(items[1] == DlrrItem{0x21222324u, 0x00220022u, 0x22002200u});
  // Rebuilt without the 4 padding bytes.
  std::vector<uint8_t> out(100);
  ByteWriter writer(out);
  auto size = Xr::BuildRrtrDlrr(xr->sender_ssrc(), std::nullopt, items, writer);
  REQUIRE(size.ok());
  out.resize(*size);
  std::vector<uint8_t> unpadded(bytes.begin(), bytes.end() - 4);
  unpadded[0] = 0x80;
  unpadded[3] = 8;
  CHECK(out == unpadded);
}

TEST_CASE("Xr builds RRTR+DLRR and reads them back") {
  DlrrItem item{7, 0x00010002, 0x00030004};
  std::vector<uint8_t> out(100);
  ByteWriter writer(out);
  auto size = Xr::BuildRrtrDlrr(42, 0x1122334455667788ull, std::span(&item, 1), writer);
  REQUIRE(size.ok());
  CHECK(*size == 4 + 4 + 12 + 16);
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(std::span<const uint8_t>(out).first(*size), packet));
  auto xr = Xr::Parse(packet);
  REQUIRE(xr.ok());
  auto blocks = Blocks(*xr);
  REQUIRE(blocks.size() == 2);
  CHECK(Xr::RrtrNtp(blocks[0]) == 0x1122334455667788ull);
  CHECK(Xr::DlrrAt(blocks[1], 0) == item);
}

TEST_CASE("Xr rejects truncated and malformed blocks") {
  struct Case {
    const char* hex;
    RtcpError error;
  };
  const Case cases[] = {
      {"80cf000001020304", RtcpError::kPacketTooShort},
      {"80cf00020102030405000003", RtcpError::kXrBlockTruncated},    // DLRR claims 3 words, has none
      {"80cf0003010203040400000100000000", RtcpError::kXrBadBlock},  // RRTR of 1 word
      {"80cf00030102030405000001aaaaaaaa", RtcpError::kXrBadBlock},  // DLRR of 1 word
      {"80cf000201020304050000", RtcpError::kCount},  // not a whole number of words: reader rejects
  };
  for (const Case& c : cases) {
    CAPTURE(c.hex);
    auto bytes = test::Hex(c.hex);
    RtcpPacket packet;
    if (c.error == RtcpError::kCount) {
      CHECK_FALSE(CompoundReader::Validate(bytes).ok());
      continue;
    }
    REQUIRE(test::FirstPacket(bytes, packet));
    auto xr = Xr::Parse(packet);
    REQUIRE_FALSE(xr.ok());
    CHECK(xr.error() == c.error);
  }
}
