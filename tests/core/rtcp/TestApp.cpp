#include "core/rtcp/App.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;
using cascade::rtcp::test::Fixture;

TEST_CASE("App parses pion's application-defined packets and rebuilds them") {
  struct Case {
    std::string file;
    uint8_t subtype;
    std::string data;
  };
  const Case cases[] = {
      {"pion_rtcp/000_TestTApplicationPacketUnmarshal_valid.bin", 0, "ABCD"},
      {"pion_rtcp/001_TestTApplicationPacketUnmarshal_validCustomSsubType.bin", 31, "ABCD"},
      {"pion_rtcp/002_TestTApplicationPacketUnmarshal_validWithPadding.bin", 0, "ABCDE"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto app = App::Parse(packet);
    REQUIRE(app.ok());
    CHECK(app->subtype() == c.subtype);
    CHECK(app->ssrc() == 0x4baae1abu);
    CHECK(app->name() == "NAME");
    CHECK(std::string(app->data().begin(), app->data().end()) == c.data);
    std::vector<uint8_t> out(100);
    ByteWriter writer(out);
    auto size = App::Build(app->subtype(), app->ssrc(), app->name(), app->data(), writer);
    REQUIRE(size.ok());
    out.resize(*size);
    // Only the last padding octet has a defined value; pion repeats the count in the others,
    // we write zeros.
    auto expected = bytes;
    if (packet.padding) std::fill(expected.end() - expected.back(), expected.end() - 1, 0);
    CHECK(out == expected);
  }
}

TEST_CASE("App rejects pion's wrong padding size") {
  // Padding count 9 leaves 7 bytes: too short for SSRC and name.
  auto bytes = Fixture("pion_rtcp/003_TestTApplicationPacketUnmarshal_wrongPaddingSize.bin");
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  CHECK(App::Parse(packet).error() == RtcpError::kPacketTooShort);
  std::vector<uint8_t> out(100);
  ByteWriter writer(out);
  CHECK(App::Build(0, 1, "TOOLONG", {}, writer).error() == RtcpError::kInvalidArgument);
}
