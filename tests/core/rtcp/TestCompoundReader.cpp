#include "core/rtcp/CompoundReader.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::rtcp::test::Fixture;
using cascade::rtcp::test::Hex;

namespace {

std::vector<PacketKind> Kinds(const std::vector<uint8_t>& bytes) {
  std::vector<PacketKind> kinds;
  CompoundReader reader(bytes);
  RtcpPacket packet;
  while (reader.Next(packet)) kinds.push_back(packet.Kind());
  REQUIRE_FALSE(reader.failed());
  return kinds;
}

}  // namespace

TEST_CASE("CompoundReader yields every packet of a compound with its kind") {
  using K = PacketKind;
  struct Case {
    std::string file;
    std::vector<PacketKind> kinds;
  };
  const Case cases[] = {
      {"pion_rtcp/012_top.bin", {K::kReceiverReport, K::kSdes, K::kBye, K::kPli, K::kOtherRtpfb, K::kApp}},
      {"pion_rtcp/026_TestSenderReportUnmarshal_with_extension.bin", {K::kSenderReport, K::kSdes}},
      {"pion_rtcp/004_top.bin", {K::kXr}},
      {"pion_rtcp/016_TestRapidResynchronizationRequestUnmarshal_valid.bin", {K::kOtherRtpfb}},
      {"pion_rtcp/024_TestCCFeedbackReportUnmarshalMarshal_EmtpyReport.bin", {K::kOtherRtpfb}},
      // pion encodes its SLI with PT 205 (RFC 4585 §6.3.2 says PSFB), so it is "other RTPFB".
      {"pion_rtcp/027_TestSliceLossIndicationUnmarshal_valid.bin", {K::kOtherRtpfb}},
      {"pion_rtcp/018_TestReceiverEstimatedMaximumBitrateMarshal.bin", {K::kRemb}},
      {"pion_rtcp/028_TestTransportLayerCC_Unmarshal_example1.bin", {K::kTransportCc}},
      {"mediasoup/001_TestFeedbackPsAfb_buffer.bin", {K::kOtherPsfb}},
      {"mediasoup/003_TestFeedbackPsLei_buffer.bin", {K::kOtherPsfb}},
      {"mediasoup/010_TestFeedbackRtpEcn_buffer.bin", {K::kOtherRtpfb}},
      {"mediasoup/014_TestFeedbackRtpTmmb_buffer.bin", {K::kOtherRtpfb}},
      {"mediasoup/024_TestXr_buffer.bin", {K::kXr}},
      {"aiortc/rtcp_bye_padding.bin", {K::kBye}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    CHECK(Kinds(Fixture(c.file)) == c.kinds);
    auto count = CompoundReader::Validate(Fixture(c.file));
    REQUIRE(count.ok());
    CHECK(*count == c.kinds.size());
  }
}

TEST_CASE("CompoundReader accepts SR+SDES compound (aiortc test_compound)") {
  auto data = Fixture("aiortc/rtcp_sr.bin");
  auto sdes = Fixture("aiortc/rtcp_sdes.bin");
  data.insert(data.end(), sdes.begin(), sdes.end());
  CHECK(Kinds(data) == std::vector<PacketKind>{PacketKind::kSenderReport, PacketKind::kSdes});
}

TEST_CASE("CompoundReader applies the RFC 3550 A.2 header checks") {
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    RtcpError error;
  };
  auto rr = Fixture("aiortc/rtcp_rr.bin");
  auto bad_version = rr;
  bad_version[0] = 0xc0;  // aiortc test_bad_version
  auto truncated = rr;
  truncated.pop_back();  // length now points past the datagram
  auto padded_first = Fixture("aiortc/rtcp_bye_padding.bin");
  padded_first.insert(padded_first.end(), rr.begin(), rr.end());
  auto zero_padding = Fixture("aiortc/rtcp_bye_padding.bin");
  zero_padding[7] = 0;  // aiortc test_bye_only_padding_zero
  auto tail = rr;
  tail.push_back(0x80);
  const Case cases[] = {
      {"bad version", bad_version, RtcpError::kBadVersion},
      {"length beyond datagram", truncated, RtcpError::kLengthExceedsDatagram},
      {"padding not in last packet", padded_first, RtcpError::kPaddingNotLast},
      {"padding count zero", zero_padding, RtcpError::kBadPadding},
      {"padding larger than body", Hex("a0cb000104040409"), RtcpError::kBadPadding},
      {"trailing bytes", tail, RtcpError::kTruncated},
      {"empty", {}, RtcpError::kTruncated},
      {"sdes source truncated datagram", Fixture("aiortc/rtcp_sdes_source_truncated.bin"),
       RtcpError::kLengthExceedsDatagram},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto result = CompoundReader::Validate(c.bytes);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error() == c.error);
  }
}

TEST_CASE("CompoundReader strips padding from the last packet's payload") {
  RtcpPacket packet;
  auto bytes = Fixture("pion_rtcp/002_TestTApplicationPacketUnmarshal_validWithPadding.bin");
  REQUIRE(test::FirstPacket(bytes, packet));
  CHECK(packet.padding);
  CHECK(packet.bytes.size() == 20);
  CHECK(packet.payload.size() == 13);
}

TEST_CASE("CompoundReader tolerates reduced-size RTCP and yields unknown types") {
  // RFC 5506: a lone PLI, then a packet type nobody defined (210).
  auto bytes =
      Hex("81ce0002000000004bc4fcb4"
          "80d2000100000000");
  CHECK(Kinds(bytes) == std::vector<PacketKind>{PacketKind::kPli, PacketKind::kUnknown});
}

TEST_CASE("RtcpError and PacketKind have names for every kind") {
  for (int i = 0; i < static_cast<int>(RtcpError::kCount); ++i) {
    CHECK(std::string(ToString(static_cast<RtcpError>(i))) != "unknown");
  }
  for (int i = 0; i < static_cast<int>(PacketKind::kUnknown); ++i) {
    CHECK(std::string(ToString(static_cast<PacketKind>(i))) != "unknown");
  }
}
