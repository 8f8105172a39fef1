#include "core/rtcp/SenderReport.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "core/rtcp/ReceiverReport.hpp"
#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;
using cascade::rtcp::test::Fixture;

namespace {

// Parse -> Build must give back the packet's bytes.
std::vector<uint8_t> Rebuild(const SenderReport& sr) {
  std::vector<ReportBlock> blocks;
  for (size_t i = 0; i < sr.report_count(); ++i) blocks.push_back(sr.report(i));
  SenderReport::Fields fields{sr.sender_ssrc(),  sr.ntp_timestamp(), sr.rtp_timestamp(),
                              sr.packet_count(), sr.octet_count(),   blocks,
                              sr.extension()};
  std::vector<uint8_t> out(1500);
  ByteWriter writer(out);
  auto size = SenderReport::Build(fields, writer);
  REQUIRE(size.ok());
  out.resize(*size);
  return out;
}

}  // namespace

TEST_CASE("SenderReport parses aiortc's SR (test_sr) and rebuilds it") {
  auto bytes = Fixture("aiortc/rtcp_sr.bin");
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  auto sr = SenderReport::Parse(packet);
  REQUIRE(sr.ok());
  CHECK(sr->sender_ssrc() == 1831097322u);
  CHECK(sr->ntp_timestamp() == 16016567581311369308ull);
  CHECK(sr->rtp_timestamp() == 1722342718u);
  CHECK(sr->packet_count() == 269u);
  CHECK(sr->octet_count() == 13557u);
  REQUIRE(sr->report_count() == 1);
  ReportBlock block = sr->report(0);
  CHECK(block.ssrc == 2398654957u);
  CHECK(block.fraction_lost == 0);
  CHECK(block.cumulative_lost == 0);
  CHECK(block.extended_highest_seq == 246u);
  CHECK(block.jitter == 127u);
  CHECK(block.last_sr == 0u);
  CHECK(block.delay_since_sr == 0u);
  CHECK(Rebuild(*sr) == bytes);
}

TEST_CASE("SenderReport parses mediasoup's and pion's SRs") {
  auto ms = Fixture("mediasoup/023_TestSenderReport_buffer.bin");
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(ms, packet));
  auto sr = SenderReport::Parse(packet);
  REQUIRE(sr.ok());
  CHECK(sr->sender_ssrc() == 1569920308u);
  CHECK((sr->ntp_timestamp() >> 32) == 3711615412u);
  CHECK((sr->ntp_timestamp() & 0xffffffff) == 1985245553u);
  CHECK(sr->rtp_timestamp() == 577280u);
  CHECK(sr->packet_count() == 3608u);
  CHECK(sr->octet_count() == 577280u);
  CHECK(sr->report_count() == 0);
  CHECK(Rebuild(*sr) == ms);

  auto pion = Fixture("pion_rtcp/026_TestSenderReportUnmarshal_with_extension.bin");
  REQUIRE(test::FirstPacket(pion, packet));
  sr = SenderReport::Parse(packet);
  REQUIRE(sr.ok());
  CHECK(sr->sender_ssrc() == 0x2b7ec0c5u);
  CHECK(sr->ntp_timestamp() == 0xe020a2a952a53fc0ull);
  CHECK(sr->rtp_timestamp() == 0x2e48a552u);
  CHECK(sr->packet_count() == 70u);
  CHECK(sr->octet_count() == 4637u);
  CHECK(Rebuild(*sr) == test::Bytes(packet.bytes));
}

TEST_CASE("SenderReport rejects malformed packets") {
  RtcpPacket packet;
  auto invalid = Fixture("aiortc/rtcp_sr_invalid.bin");  // aiortc test_sr_invalid
  REQUIRE(test::FirstPacket(invalid, packet));
  CHECK(SenderReport::Parse(packet).error() == RtcpError::kPacketTooShort);
  // pion: an SR whose RC=1 block does not fit.
  auto wrong = Fixture("pion_rtcp/017_TestRapidResynchronizationRequestUnmarshal_wrong_type.bin");
  REQUIRE(test::FirstPacket(wrong, packet));
  CHECK(SenderReport::Parse(packet).error() == RtcpError::kCountExceedsLength);
  CHECK(ReceiverReport::Parse(packet).error() == RtcpError::kWrongPacketType);
}

TEST_CASE("SenderReport builder clamps cumulative lost and rejects too many blocks") {
  std::vector<ReportBlock> blocks(1);
  blocks[0].cumulative_lost = -9000000;  // below the 24-bit range (aiortc test_clamp_packets_lost)
  std::vector<uint8_t> out(200);
  ByteWriter writer(out);
  SenderReport::Fields fields;
  fields.reports = blocks;
  auto size = SenderReport::Build(fields, writer);
  REQUIRE(size.ok());
  CHECK(out[4 + 24 + 5] == 0x80);  // -8388608 = 0x800000
  CHECK(out[4 + 24 + 6] == 0x00);
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(std::span<const uint8_t>(out).first(*size), packet));
  CHECK(SenderReport::Parse(packet)->report(0).cumulative_lost == ReportBlock::kMinCumulativeLost);

  std::vector<ReportBlock> many(32);
  fields.reports = many;
  ByteWriter writer2(out);
  CHECK(SenderReport::Build(fields, writer2).error() == RtcpError::kInvalidArgument);
  std::vector<uint8_t> tiny(10);
  ByteWriter small(tiny);
  fields.reports = blocks;
  CHECK(SenderReport::Build(fields, small).error() == RtcpError::kBufferTooSmall);
}

TEST_CASE("ReportBlock packs signed cumulative lost like aiortc") {
  struct Case {
    int32_t lost;
    uint8_t b0, b1, b2;
  };
  const Case cases[] = {{-8388608, 0x80, 0, 0},
                        {-1, 0xff, 0xff, 0xff},
                        {0, 0, 0, 0},
                        {1, 0, 0, 1},
                        {8388607, 0x7f, 0xff, 0xff}};
  for (const Case& c : cases) {
    CAPTURE(c.lost);
    ReportBlock block;
    block.cumulative_lost = c.lost;
    uint8_t buf[24];
    ByteWriter writer(buf);
    block.Write(writer);
    CHECK(buf[5] == c.b0);
    CHECK(buf[6] == c.b1);
    CHECK(buf[7] == c.b2);
    CHECK(ReportBlock::Read(buf).cumulative_lost == c.lost);
  }
}
