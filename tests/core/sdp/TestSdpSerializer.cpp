#include <doctest/doctest.h>

#include <string>

#include "core/sdp/SdpParser.hpp"
#include "core/sdp/SdpSerializer.hpp"
#include "tests/TestData.hpp"
#include "tests/core/sdp/SdpFixtures.hpp"

using namespace cascade::sdp;

TEST_CASE("SdpSerializer round trip keeps every field of every fixture") {
  for (auto name : test::kValidFixtures) {
    CAPTURE(name);
    auto first = ParseSdp(cascade::test::ReadText("sdp/" + std::string(name)));
    REQUIRE(first.ok());
    std::string text = SerializeSdp(*first);
    auto second = ParseSdp(text);
    REQUIRE_MESSAGE(second.ok(), (second.ok() ? std::string() : second.error().Describe()));
    CHECK(*second == *first);
    CHECK(SerializeSdp(*second) == text);  // stable after one pass
  }
}

TEST_CASE("SdpSerializer writes CRLF lines in RFC 8866 order") {
  auto sd = ParseSdp(cascade::test::ReadText("sdp/sdp-transform/ts-refclk-media.sdp"));
  REQUIRE(sd.ok());
  std::string text = SerializeSdp(*sd);
  // Every line ends in CRLF and no bare LF is left.
  size_t lines = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      CHECK(i > 0);
      CHECK(text[i - 1] == '\r');
      ++lines;
    }
  }
  CHECK(lines > 10);
  CHECK(text.back() == '\n');
  // Session part in RFC 8866 §5 order, then the two media sections.
  std::string order;
  for (size_t pos = 0; pos < text.size(); pos = text.find('\n', pos) + 1) order += text[pos];
  CHECK(order == "vosiuectaamaamaa");

  auto mediaclk = ParseSdp(cascade::test::ReadText("sdp/sdp-transform/mediaclk-rtp.sdp"));
  REQUIRE(mediaclk.ok());
  CHECK(SerializeSdp(*mediaclk).find("v=0\r\no=- 1311738121 1311738121 IN IP4 192.0.2.1\r\ns=") == 0);
}

TEST_CASE("SdpSerializer writes the attributes it models") {
  SessionDescription sd;
  sd.origin.session_id = 42;
  sd.timings.emplace_back();
  sd.groups.push_back(Group{"BUNDLE", {"0"}});
  sd.ice_lite = true;
  MediaDescription m;
  m.kind = MediaKind::kVideo;
  m.media = "video";
  m.port = 9;
  m.proto = "UDP/TLS/RTP/SAVPF";
  m.formats = {"96"};
  m.mid = "0";
  m.direction = Direction::kRecvOnly;
  m.rtcp_mux = true;
  m.rtpmaps.push_back(RtpMap{96, "VP8", 90000, 0});
  m.rtcp_fbs.push_back(RtcpFb{96, "nack", "pli"});
  m.fmtps.push_back(Fmtp{96, {{"x", "1"}, {"y", std::nullopt}}});
  m.extmaps.push_back(Extmap{4, Direction::kRecvOnly, "urn:ietf:params:rtp-hdrext:sdes:mid", ""});
  m.rids.push_back(Rid{"h", RidDirection::kRecv, {96}, {{"max-width", "1280"}}});
  m.simulcast = Simulcast{{}, {{{"h", false}, {"m", true}}, {{"l", false}}}};
  sd.media.push_back(m);
  std::string text = SerializeSdp(sd);
  CHECK(text.find("o=- 42 0 IN IP4 127.0.0.1\r\n") != std::string::npos);
  CHECK(text.find("a=group:BUNDLE 0\r\na=ice-lite\r\n") != std::string::npos);
  CHECK(text.find("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n") != std::string::npos);
  CHECK(text.find("a=rtcp-fb:96 nack pli\r\n") != std::string::npos);
  CHECK(text.find("a=fmtp:96 x=1;y\r\n") != std::string::npos);
  CHECK(text.find("a=extmap:4/recvonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n") != std::string::npos);
  CHECK(text.find("a=rid:h recv pt=96;max-width=1280\r\n") != std::string::npos);
  CHECK(text.find("a=simulcast:recv h,~m;l\r\n") != std::string::npos);
  auto back = ParseSdp(text);
  REQUIRE(back.ok());
  CHECK(*back == sd);
}
