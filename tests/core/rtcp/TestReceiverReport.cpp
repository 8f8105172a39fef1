#include "core/rtcp/ReceiverReport.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;
using cascade::rtcp::test::Fixture;

namespace {

std::vector<uint8_t> Rebuild(const ReceiverReport& rr) {
  std::vector<ReportBlock> blocks;
  for (size_t i = 0; i < rr.report_count(); ++i) blocks.push_back(rr.report(i));
  std::vector<uint8_t> out(1500);
  ByteWriter writer(out);
  auto size = ReceiverReport::Build({rr.sender_ssrc(), blocks, rr.extension()}, writer);
  REQUIRE(size.ok());
  out.resize(*size);
  return out;
}

}  // namespace

TEST_CASE("ReceiverReport parses fixtures with the source projects' expected values") {
  struct Case {
    std::string file;
    uint32_t ssrc;
    ReportBlock block;
    std::string extension;
  };
  const Case cases[] = {
      // aiortc test_rr
      {"aiortc/rtcp_rr.bin", 817267719u, {1200895919u, 0, 0, 630u, 1906u, 0, 0}, ""},
      // pion TestReceiverReportUnmarshal "valid" and "valid with extension data"
      {"pion_rtcp/021_TestReceiverReportUnmarshal_valid.bin",
       0x902f9e2e,
       {0xbc5e9a40, 0, 0, 0x46e1, 273, 0x9f36432, 150137},
       ""},
      {"pion_rtcp/022_TestReceiverReportUnmarshal_valid_with_extension_data.bin",
       0x902f9e2e,
       {0xbc5e9a40, 0, 0, 0x46e1, 273, 0x9f36432, 150137},
       "TESTDATA"},
      // mediasoup TestReceiverReport
      {"mediasoup/018_TestReceiverReport_buffer.bin", 1569920308u, {26422708u, 0, 1, 0, 0, 0, 5}, ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto rr = ReceiverReport::Parse(packet);
    REQUIRE(rr.ok());
    CHECK(rr->sender_ssrc() == c.ssrc);
    REQUIRE(rr->report_count() == 1);
    CHECK(rr->report(0) == c.block);
    CHECK(std::string(rr->extension().begin(), rr->extension().end()) == c.extension);
    CHECK(Rebuild(*rr) == bytes);
  }
}

TEST_CASE("ReceiverReport rejects counts that do not fit") {
  struct Case {
    std::string file;
    RtcpError error;
  };
  const Case cases[] = {
      {"aiortc/rtcp_rr_invalid.bin", RtcpError::kCountExceedsLength},
      {"pion_rtcp/023_TestReceiverReportUnmarshal_bad_count_in_header.bin", RtcpError::kCountExceedsLength},
      {"pion_rtcp/014_TestPictureLossIndicationUnmarshal_wrong_type.bin", RtcpError::kCountExceedsLength},
      {"pion_rtcp/015_TestPictureLossIndicationUnmarshal_wrong_fmt.bin", RtcpError::kCountExceedsLength},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto rr = ReceiverReport::Parse(packet);
    REQUIRE_FALSE(rr.ok());
    CHECK(rr.error() == c.error);
  }
}

TEST_CASE("ReceiverReport rejects a truncated aiortc RR at every length") {
  auto bytes = Fixture("aiortc/rtcp_rr.bin");
  for (size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(CompoundReader::Validate(std::span<const uint8_t>(bytes).first(n)).ok());
  }
}
