#include "core/rtcp/Bye.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;
using cascade::rtcp::test::Fixture;

namespace {

std::vector<uint8_t> Rebuild(const Bye& bye) {
  std::vector<uint32_t> ssrcs;
  for (size_t i = 0; i < bye.source_count(); ++i) ssrcs.push_back(bye.source(i));
  std::vector<uint8_t> out(600);
  ByteWriter writer(out);
  auto size = Bye::Build(ssrcs, bye.reason(), writer);
  REQUIRE(size.ok());
  out.resize(*size);
  return out;
}

}  // namespace

TEST_CASE("Bye parses sources and reason and rebuilds them") {
  struct Case {
    std::string file;
    std::vector<uint32_t> sources;
    std::optional<std::string> reason;
    std::string rebuilt_hex;  // empty: identical to the input
  };
  const Case cases[] = {
      {"aiortc/rtcp_bye.bin", {2924645187u}, std::nullopt, ""},
      {"aiortc/rtcp_bye_no_sources.bin", {}, std::nullopt, ""},
      // aiortc test_bye_only_padding: the padding is dropped on rebuild.
      {"aiortc/rtcp_bye_padding.bin", {}, std::nullopt, "80cb0000"},
      // mediasoup TestBye
      {"mediasoup/000_TestBye_buffer.bin", {0x624276e0u, 0x2624670eu}, "Hasta la vista", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto bye = Bye::Parse(packet);
    REQUIRE(bye.ok());
    std::vector<uint32_t> sources;
    for (size_t i = 0; i < bye->source_count(); ++i) sources.push_back(bye->source(i));
    CHECK(sources == c.sources);
    CHECK(bye->reason().has_value() == c.reason.has_value());
    if (c.reason) CHECK(*bye->reason() == *c.reason);
    CHECK(Rebuild(*bye) == (c.rebuilt_hex.empty() ? bytes : test::Hex(c.rebuilt_hex)));
  }
}

TEST_CASE("Bye rejects counts and reasons past the packet") {
  auto bytes = Fixture("aiortc/rtcp_bye_invalid.bin");  // aiortc test_bye_invalid: SC=17
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  CHECK(Bye::Parse(packet).error() == RtcpError::kCountExceedsLength);
  bytes = test::Hex(
      "81cb000211223344"
      "05616263");  // reason length 5, 3 bytes present
  REQUIRE(test::FirstPacket(bytes, packet));
  CHECK(Bye::Parse(packet).error() == RtcpError::kByeReasonTruncated);
}
