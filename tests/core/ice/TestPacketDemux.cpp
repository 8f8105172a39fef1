#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "core/ice/PacketDemux.hpp"

using namespace cascade::ice;

TEST_CASE("PacketDemux classifies every first byte per RFC 7983") {
  for (int b = 0; b < 256; ++b) {
    const std::array<uint8_t, 2> pkt{static_cast<uint8_t>(b), 0x60};  // second byte: RTP PT 96
    PacketKind want = PacketKind::kUnknown;
    if (b <= 3)
      want = PacketKind::kStun;
    else if (b >= 16 && b <= 19)
      want = PacketKind::kZrtp;
    else if (b >= 20 && b <= 63)
      want = PacketKind::kDtls;
    else if (b >= 64 && b <= 79)
      want = PacketKind::kTurnChannel;
    else if (b >= 128 && b <= 191)
      want = PacketKind::kRtp;
    CAPTURE(b);
    CHECK(PacketDemux::Classify(pkt) == want);
  }
}

TEST_CASE("PacketDemux splits RTP and RTCP by the second byte (RFC 5761 §4)") {
  for (int second = 0; second < 256; ++second) {
    const std::array<uint8_t, 2> pkt{0x80, static_cast<uint8_t>(second)};
    CAPTURE(second);
    CHECK(PacketDemux::Classify(pkt) ==
          (second >= 192 && second <= 223 ? PacketKind::kRtcp : PacketKind::kRtp));
  }
  // RTP with the marker bit and PT 111 (Opus): 0x80|0x6F = 0xEF is above 223, still RTP.
  CHECK(PacketDemux::Classify(std::vector<uint8_t>{0x80, 0xEF}) == PacketKind::kRtp);
  CHECK(PacketDemux::Classify(std::vector<uint8_t>{0x81, 200}) == PacketKind::kRtcp);  // SR
  CHECK(PacketDemux::Classify(std::vector<uint8_t>{0x8F, 206}) == PacketKind::kRtcp);  // PSFB
}

TEST_CASE("PacketDemux treats empty and one-byte RTP-range packets as unknown") {
  CHECK(PacketDemux::Classify({}) == PacketKind::kUnknown);
  CHECK(PacketDemux::Classify(std::vector<uint8_t>{0x80}) == PacketKind::kUnknown);
  CHECK(PacketDemux::Classify(std::vector<uint8_t>{0x00}) == PacketKind::kStun);
  for (int k = 0; k < static_cast<int>(PacketKind::kCount); ++k) {
    CHECK(std::string(ToString(static_cast<PacketKind>(k))).size() > 0);
  }
}
