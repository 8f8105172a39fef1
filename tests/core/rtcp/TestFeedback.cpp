// NACK, PLI, FIR, REMB and the generic feedback header.
#include "core/rtcp/Feedback.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/rtcp/Fir.hpp"
#include "core/rtcp/Nack.hpp"
#include "core/rtcp/Pli.hpp"
#include "core/rtcp/Remb.hpp"
#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;
using cascade::rtcp::test::Fixture;

namespace {

std::vector<uint16_t> Seqs(const Nack& nack) {
  std::vector<uint16_t> seqs;
  auto it = nack.seqs();
  uint16_t seq;
  while (it.Next(seq)) seqs.push_back(seq);
  return seqs;
}

template <typename F>
std::vector<uint8_t> BuildWith(F&& build) {
  std::vector<uint8_t> out(1500);
  ByteWriter writer(out);
  auto size = build(writer);
  REQUIRE(size.ok());
  out.resize(*size);
  return out;
}

}  // namespace

TEST_CASE("Nack expands PID+BLP and the seq-list builder reproduces the packet") {
  struct Case {
    std::string file;
    uint32_t sender, media;
    std::vector<uint16_t> lost;
  };
  const Case cases[] = {
      // aiortc test_rtpfb
      {"aiortc/rtcp_rtpfb.bin",
       2336520123u,
       4145934052u,
       {12, 32, 39, 54, 76, 110, 123, 142, 183, 187, 223, 236, 271, 292}},
      // pion TestTransportLayerNackUnmarshal "valid": BLP 0x5555 = every other packet
      {"pion_rtcp/040_TestTransportLayerNackUnmarshal_valid.bin",
       0x902f9e2eu,
       0x902f9e2eu,
       {43690, 43691, 43693, 43695, 43697, 43699, 43701, 43703, 43705}},
      // mediasoup TestFeedbackRtpNack: PID 2959, BLP 3
      {"mediasoup/011_TestFeedbackRtpNack_buffer.bin", 1u, 0x0330bdeeu, {2959, 2960, 2961}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto nack = Nack::Parse(packet);
    REQUIRE(nack.ok());
    CHECK(nack->sender_ssrc() == c.sender);
    CHECK(nack->media_ssrc() == c.media);
    auto seqs = Seqs(*nack);
    CHECK(seqs == c.lost);
    CHECK(BuildWith([&](ByteWriter& w) { return Nack::Build(c.sender, c.media, seqs, w); }) == bytes);
    std::vector<NackItem> items;
    for (size_t i = 0; i < nack->item_count(); ++i) items.push_back(nack->item(i));
    CHECK(BuildWith([&](ByteWriter& w) { return Nack::BuildItems(c.sender, c.media, items, w); }) == bytes);
  }
}

TEST_CASE("Nack builder packs across the sequence wrap and folds duplicates") {
  std::vector<uint16_t> lost{65534, 65535, 65535, 0, 15, 16, 40};
  auto bytes = BuildWith([&](ByteWriter& w) { return Nack::Build(1, 2, lost, w); });
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(bytes, packet));
  auto nack = Nack::Parse(packet);
  REQUIRE(nack.ok());
  REQUIRE(nack->item_count() == 3);
  CHECK(nack->item(0) == NackItem{65534, 0x0003});  // 65535, 0
  CHECK(nack->item(1) == NackItem{15, 0x0001});     // 16
  CHECK(nack->item(2) == NackItem{40, 0});
  CHECK(Seqs(*nack) == std::vector<uint16_t>{65534, 65535, 0, 15, 16, 40});
}

TEST_CASE("Nack rejects missing or partial FCI") {
  struct Case {
    std::string file;
    RtcpError error;
  };
  const Case cases[] = {
      {"pion_rtcp/041_TestTransportLayerNackUnmarshal_bad_length.bin", RtcpError::kPacketTooShort},
      {"aiortc/rtcp_rtpfb_invalid.bin", RtcpError::kPacketTooShort},
      {"mediasoup/012_TestFeedbackRtpSrReq_buffer.bin", RtcpError::kWrongFormat},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    CHECK(Nack::Parse(packet).error() == c.error);
  }
}

TEST_CASE("Pli parses and rebuilds; rejects wrong type, format and length") {
  struct Case {
    std::string file;
    uint32_t sender, media;
  };
  const Case cases[] = {
      {"aiortc/rtcp_psfb_pli.bin", 1414554213u, 587284409u},
      {"pion_rtcp/013_TestPictureLossIndicationUnmarshal_valid.bin", 0u, 0x4bc4fcb4u},
      {"mediasoup/004_TestFeedbackPsPli_buffer.bin", 1u, 0x0330bdeeu},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto pli = Pli::Parse(packet);
    REQUIRE(pli.ok());
    CHECK(pli->sender_ssrc() == c.sender);
    CHECK(pli->media_ssrc() == c.media);
    CHECK(BuildWith([&](ByteWriter& w) { return Pli::Build(c.sender, c.media, w); }) == bytes);
  }
  struct Bad {
    std::string file;
    RtcpError error;
  };
  const Bad bad[] = {
      {"pion_rtcp/014_TestPictureLossIndicationUnmarshal_wrong_type.bin", RtcpError::kWrongPacketType},
      {"pion_rtcp/015_TestPictureLossIndicationUnmarshal_wrong_fmt.bin", RtcpError::kWrongPacketType},
      {"aiortc/rtcp_psfb_invalid.bin", RtcpError::kPacketTooShort},
      {"pion_rtcp/005_TestFullIntraRequestUnmarshal_valid.bin", RtcpError::kWrongFormat},
  };
  for (const Bad& c : bad) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    CHECK(Pli::Parse(packet).error() == c.error);
  }
  auto longer = test::Hex("81ce0003000000004bc4fcb400000000");
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(longer, packet));
  CHECK(Pli::Parse(packet).error() == RtcpError::kFciLength);
}

TEST_CASE("Fir parses entries and rebuilds them") {
  struct Case {
    std::string file;
    uint32_t sender, media;
    std::vector<FirEntry> entries;
  };
  const Case cases[] = {
      {"pion_rtcp/005_TestFullIntraRequestUnmarshal_valid.bin", 0u, 0x4bc4fcb4u, {{0x12345678u, 0x42}}},
      {"pion_rtcp/006_TestFullIntraRequestUnmarshal_also_valid.bin",
       0u,
       0x4bc4fcb4u,
       {{0x12345678u, 0x42}, {0x98765432u, 0x57}}},
      {"pion_rtcp/010_TestFullIntraRequestUnmarshalHeader_valid_header.bin", 0u, 0x4bc4fcb4u, {{0u, 0x22}}},
      {"mediasoup/002_TestFeedbackPsFir_buffer.bin", 0xfa17fa17u, 0u, {{0x02d03702u, 4}}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto fir = Fir::Parse(packet);
    REQUIRE(fir.ok());
    CHECK(fir->sender_ssrc() == c.sender);
    CHECK(fir->media_ssrc() == c.media);
    std::vector<FirEntry> entries;
    for (size_t i = 0; i < fir->entry_count(); ++i) entries.push_back(fir->entry(i));
    CHECK(entries == c.entries);
    if (c.media == 0) {  // the builder always writes media SSRC 0 (RFC 5104 §4.3.1.2)
      CHECK(BuildWith([&](ByteWriter& w) { return Fir::Build(c.sender, entries, w); }) == bytes);
    } else {
      auto rebuilt = BuildWith([&](ByteWriter& w) { return Fir::Build(c.sender, entries, w); });
      CHECK(std::equal(rebuilt.begin() + 12, rebuilt.end(), bytes.begin() + 12, bytes.end()));
    }
  }
  struct Bad {
    std::string file;
    RtcpError error;
  };
  const Bad bad[] = {
      {"pion_rtcp/007_TestFullIntraRequestUnmarshal_wrong_type.bin", RtcpError::kWrongPacketType},
      {"pion_rtcp/008_TestFullIntraRequestUnmarshal_wrong_fmt.bin", RtcpError::kWrongFormat},
      {"pion_rtcp/009_TestFullIntraRequestUnmarshal_wrong_length.bin", RtcpError::kFciLength},
  };
  for (const Bad& c : bad) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    CHECK(Fir::Parse(packet).error() == c.error);
  }
}

TEST_CASE("Remb parses bitrate and SSRCs, clamps overflow and rebuilds") {
  struct Case {
    std::string file;
    uint32_t sender;
    uint64_t bitrate;
    std::vector<uint32_t> ssrcs;
    bool rebuilds;
  };
  const Case cases[] = {
      // pion TestReceiverEstimatedMaximumBitrateMarshal: 8927168 bps for SSRC 1215622422
      {"pion_rtcp/018_TestReceiverEstimatedMaximumBitrateMarshal.bin", 1u, 8927168u, {1215622422u}, true},
      // exponent 63, mantissa 0x3ffff: far beyond 64 bits, clamped
      {"pion_rtcp/019_TestReceiverEstimatedMaximumBitrateOverflow.bin", 0u, UINT64_MAX, {}, false},
      // exponent 47 with a zero mantissa is zero
      {"pion_rtcp/020_TestReceiverEstimatedMaximumBitrateOverflow.bin", 0u, 0u, {}, false},
      // mediasoup TestFeedbackPsRemb: 122754 bps for two SSRCs
      {"mediasoup/005_TestFeedbackPsRemb_buffer.bin", 0xfa17fa17u, 122754u, {0x02d03702u, 0x04a76747u}, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    auto bytes = Fixture(c.file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    CHECK(packet.Kind() == PacketKind::kRemb);
    auto remb = Remb::Parse(packet);
    REQUIRE(remb.ok());
    CHECK(remb->sender_ssrc() == c.sender);
    CHECK(remb->bitrate_bps() == c.bitrate);
    std::vector<uint32_t> ssrcs;
    for (size_t i = 0; i < remb->ssrc_count(); ++i) ssrcs.push_back(remb->ssrc(i));
    CHECK(ssrcs == c.ssrcs);
    if (c.rebuilds) {
      CHECK(BuildWith([&](ByteWriter& w) { return Remb::Build(c.sender, c.bitrate, ssrcs, w); }) == bytes);
    }
  }
}

TEST_CASE("Remb bitrate encoding matches aiortc's pack_remb_fci") {
  struct Case {
    uint64_t bitrate;
    std::string fci_hex;
  };
  const Case cases[] = {
      {0, "52454d420100000096be96cf"},
      {0x3ffff, "52454d420103ffff96be96cf"},
      {0x40000, "52454d420106000096be96cf"},
      {4160000, "52454d420113f7a096be96cf"},
  };
  const uint32_t ssrc = 2529072847u;
  for (const Case& c : cases) {
    CAPTURE(c.bitrate);
    auto bytes = BuildWith([&](ByteWriter& w) { return Remb::Build(0, c.bitrate, std::span(&ssrc, 1), w); });
    CHECK(std::vector<uint8_t>(bytes.begin() + 12, bytes.end()) == test::Hex(c.fci_hex));
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    CHECK(Remb::Parse(packet)->bitrate_bps() == c.bitrate);
  }
  // aiortc: 0x3ffff << 63 does not fit 64 bits: decoding clamps.
  CHECK(Remb::DecodeBitrate(63, 0x3ffff) == UINT64_MAX);
  CHECK(Remb::DecodeBitrate(46, 0x3ffff) == (0x3ffffull << 46));
  // The largest 64-bit rate rounds down to a representable one.
  auto max = BuildWith([&](ByteWriter& w) { return Remb::Build(0, UINT64_MAX, {}, w); });
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(max, packet));
  CHECK(Remb::Parse(packet)->bitrate_bps() == (0x3ffffull << 46));
}

TEST_CASE("Remb rejects bad identifier and SSRC count") {
  RtcpPacket packet;
  auto afb = Fixture("mediasoup/001_TestFeedbackPsAfb_buffer.bin");
  REQUIRE(test::FirstPacket(afb, packet));
  CHECK(Remb::Parse(packet).error() == RtcpError::kPacketTooShort);  // AFB with a 4-byte FCI
  auto other_afb = test::Hex(
      "8fce0004000000010000000041424344"
      "00000000");
  REQUIRE(test::FirstPacket(other_afb, packet));
  CHECK(packet.Kind() == PacketKind::kOtherPsfb);
  CHECK(Remb::Parse(packet).error() == RtcpError::kRembBadIdentifier);
  auto mismatch = test::Hex("8fce0005000000010000000052454d42021a20df4874ed16");
  REQUIRE(test::FirstPacket(mismatch, packet));
  CHECK(Remb::Parse(packet).error() == RtcpError::kRembSsrcCountMismatch);
  auto short_fci = test::Hex(
      "8fce00030000000100000000"
      "52454d42");
  REQUIRE(test::FirstPacket(short_fci, packet));
  CHECK(Remb::Parse(packet).error() == RtcpError::kPacketTooShort);
}

TEST_CASE("Feedback exposes other feedback messages generically and rebuilds them") {
  const char* files[] = {"pion_rtcp/016_TestRapidResynchronizationRequestUnmarshal_valid.bin",
                         "pion_rtcp/025_TestCCFeedbackReportUnmarshalMarshal_Report.bin",
                         "mediasoup/010_TestFeedbackRtpEcn_buffer.bin",
                         "mediasoup/014_TestFeedbackRtpTmmb_buffer.bin",
                         "pion_rtcp/027_TestSliceLossIndicationUnmarshal_valid.bin"};
  for (const char* file : files) {
    CAPTURE(file);
    auto bytes = Fixture(file);
    RtcpPacket packet;
    REQUIRE(test::FirstPacket(bytes, packet));
    auto fb = Feedback::Parse(packet, packet.type, packet.count);
    REQUIRE(fb.ok());
    CHECK(BuildWith([&](ByteWriter& w) {
            return Feedback::Build(packet.type, packet.count, fb->sender_ssrc(), fb->media_ssrc(), fb->fci(),
                                   w);
          }) == bytes);
  }
}
