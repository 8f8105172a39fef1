#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/sdp/SdpParser.hpp"
#include "tests/TestData.hpp"
#include "tests/core/sdp/SdpFixtures.hpp"

using namespace cascade::sdp;

namespace {

SessionDescription ParseFixture(const std::string& name) {
  auto text = cascade::test::ReadText("sdp/" + name);
  auto result = ParseSdp(text);
  INFO(name);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? std::string() : result.error().Describe()));
  return std::move(*result);
}

std::vector<std::string> Mids(const SessionDescription& sd) {
  std::vector<std::string> mids;
  for (const auto& m : sd.media) mids.push_back(m.mid.value_or("?"));
  return mids;
}

}  // namespace

TEST_CASE("SdpParser parses every valid fixture") {
  for (auto name : test::kValidFixtures) {
    CAPTURE(name);
    auto sd = ParseFixture(std::string(name));
    CHECK(sd.version == 0);
    CHECK_FALSE(sd.timings.empty());
  }
}

TEST_CASE("SdpParser rejects sdp-transform invalid.sdp naming the line") {
  auto result = ParseSdp(cascade::test::ReadText("sdp/sdp-transform/invalid.sdp"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ParseErrorKind::kBadConnection);
  CHECK(result.error().line == 7);
  CHECK(result.error().Describe() == "line 7: a=rtcp: address type 'IP7' is not IP4 or IP6");
}

TEST_CASE("SdpParser reads the Chrome unified-plan simulcast offer") {
  auto sd = ParseFixture("semantic-sdp-js/chrome_unified_simulcast.sdp");
  CHECK(sd.origin.session_id == 6196790088784933128ull);
  CHECK(sd.origin.session_version == 4);
  REQUIRE(sd.BundleGroup());
  CHECK(sd.BundleGroup()->mids == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(Mids(sd) == std::vector<std::string>{"0", "1", "2", "3"});
  REQUIRE(sd.msid_semantic);
  CHECK(sd.msid_semantic->semantic == "WMS");
  CHECK(sd.msid_semantic->identifiers.empty());

  const auto& audio = sd.media[0];
  CHECK(audio.kind == MediaKind::kAudio);
  CHECK(audio.port == 56071);
  CHECK(audio.proto == "UDP/TLS/RTP/SAVPF");
  CHECK(audio.formats.size() == 13);
  CHECK(audio.direction == Direction::kInactive);
  CHECK(audio.rtcp_mux);
  REQUIRE(audio.candidates.size() == 1);
  CHECK(audio.candidates[0].priority == 2113937151u);
  CHECK(audio.candidates[0].address == "192.168.0.11");
  REQUIRE(audio.candidates[0].Extension("network-cost"));
  CHECK(*audio.candidates[0].Extension("network-cost") == "999");
  CHECK(audio.ice_ufrag == "SM3w");
  CHECK(audio.ice_pwd == "iJpD5EkDA1eSPIbR7Mzkzwwr");
  CHECK(audio.ice_options == std::vector<std::string>{"trickle"});
  REQUIRE(audio.fingerprints.size() == 1);
  CHECK(audio.fingerprints[0].algorithm == "sha-256");
  CHECK(audio.fingerprints[0].value.substr(0, 8) == "6F:25:D8");
  CHECK(audio.setup == SetupRole::kActPass);
  REQUIRE(audio.rtcp);
  CHECK(audio.rtcp->port == 9);
  REQUIRE(audio.FindRtpMap(111));
  CHECK(audio.FindRtpMap(111)->encoding == "opus");
  CHECK(audio.FindRtpMap(111)->clock_rate == 48000);
  CHECK(audio.FindRtpMap(111)->channels == 2);
  REQUIRE(audio.FindFmtp(111));
  CHECK(*audio.FindFmtp(111)->Find("useinbandfec") == "1");
  CHECK(*audio.FindFmtp(111)->Find("minptime") == "10");

  const auto& video = sd.media[3];
  CHECK(video.kind == MediaKind::kVideo);
  CHECK(video.direction == Direction::kInactive);
  CHECK(sd.media[2].direction == Direction::kSendOnly);
  CHECK(video.rtcp_rsize);
  std::vector<uint16_t> ids;
  for (const auto& e : video.extmaps) ids.push_back(e.id);
  CHECK(ids == std::vector<uint16_t>{2, 3, 4, 5, 6, 7, 8, 9});
  REQUIRE(video.FindExtmap("urn:ietf:params:rtp-hdrext:sdes:mid"));
  CHECK(video.FindExtmap("urn:ietf:params:rtp-hdrext:sdes:mid")->id == 9);
  CHECK(*video.FindFmtp(100)->Find("profile-level-id") == "42001f");
  CHECK(*video.FindFmtp(97)->Find("apt") == "96");
  CHECK(video.RtcpFbsFor(96).size() == 5);
  REQUIRE(video.msids.size() == 1);
  CHECK(video.msids[0].stream_id == "y9XXeFHMhQYuCUo3QXYN5YLY81jCNFf1K8IC");
  CHECK(video.msids[0].track_id == "8b9dfcbc-d1aa-4b12-b330-6231313b00f3");
  REQUIRE(video.ssrc_groups.size() == 7);
  CHECK(video.ssrc_groups[0] == SsrcGroup{"FID", {2783061729u, 2439441231u}});
  CHECK(video.ssrc_groups[3] == SsrcGroup{"SIM", {2783061729u, 1, 3}});
  CHECK(video.ssrc_groups[6] == SsrcGroup{"SIM", {2783061729u, 5, 7}});
  CHECK(video.ssrcs.size() == 40);
  CHECK(video.ssrcs[0] == SsrcAttribute{2783061729u, "cname", "4uV9shnqJ09Jny5w"});
  REQUIRE(video.simulcast);
  CHECK(video.simulcast->send.size() == 3);
  CHECK(video.simulcast->send[1] == SimulcastStream{{"b", false}});
  CHECK(video.simulcast->recv.empty());
  REQUIRE(video.rids.size() == 3);
  CHECK(video.rids[0].id == "a");
  CHECK(video.rids[0].direction == RidDirection::kSend);
  CHECK(video.rids[0].restrictions == std::vector<RidRestriction>{{"ssrc", "2783061729"}});
  REQUIRE(video.FindAttribute("x-google-flag"));
  CHECK(video.FindAttribute("x-google-flag")->value == "conference");
}

TEST_CASE("SdpParser reads Firefox rid simulcast with paused alternatives and pt restrictions") {
  auto sd = ParseFixture("semantic-sdp-js/simulcast.sdp");
  CHECK(Mids(sd) == std::vector<std::string>{"sdparta_0", "sdparta_1"});
  REQUIRE(sd.fingerprints.size() == 1);  // session level
  CHECK(sd.ice_options == std::vector<std::string>{"trickle"});
  const auto& audio = sd.media[0];
  REQUIRE(audio.extmaps.size() == 1);
  CHECK(audio.extmaps[0].direction == Direction::kSendOnly);
  REQUIRE(audio.FindFmtp(101));
  CHECK(audio.FindFmtp(101)->params == std::vector<FmtpParam>{{"0-15", std::nullopt}});
  CHECK(audio.FindRtpMap(101)->channels == 1);
  const auto& video = sd.media[1];
  REQUIRE(video.rids.size() == 4);
  const Rid& q = video.rids[3];
  CHECK(q.id == "q");
  CHECK(q.payload_types == std::vector<uint8_t>{120, 121});
  CHECK(q.restrictions ==
        std::vector<RidRestriction>{{"max-width", "1280"}, {"max-height", "720"}, {"max-fps", "15"}});
  REQUIRE(video.simulcast);
  REQUIRE(video.simulcast->send.size() == 3);
  CHECK(video.simulcast->send[0] == SimulcastStream{{"f", false}, {"h", true}});
  CHECK(video.simulcast->send[2] == SimulcastStream{{"q", false}});
  CHECK(video.FindExtmap("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id")->id == 3);
}

TEST_CASE("SdpParser keeps legacy simulcast syntax as an unknown attribute") {
  auto sd = ParseFixture("sdp-transform/simulcast.sdp");
  const auto& video = sd.media[1];
  REQUIRE(video.simulcast);
  CHECK(video.simulcast->send ==
        std::vector<SimulcastStream>{{{"1", false}, {"4", true}}, {{"2", false}}, {{"3", false}}});
  CHECK(video.simulcast->recv == std::vector<SimulcastStream>{{{"c", false}}});
  REQUIRE(video.FindAttribute("simulcast"));
  CHECK(*video.FindAttribute("simulcast")->value == " send rid=1,4;2;3 paused=4 recv rid=c");
  REQUIRE(video.rids.size() == 5);
  CHECK(video.rids[4].direction == RidDirection::kRecv);
  CHECK(video.rids[0].payload_types == std::vector<uint8_t>{97});
  CHECK(video.FindAttribute("imageattr"));
}

TEST_CASE("SdpParser reads candidates with tcptype, raddr/rport and extensions") {
  auto sd = ParseFixture("sdp-transform/hacky.sdp");
  const auto& c = sd.media[0].candidates;
  REQUIRE(c.size() == 8);
  CHECK(c[1].transport == "tcp");
  CHECK(c[1].port == 0);
  CHECK(c[1].tcp_type == "active");
  CHECK(*c[1].Extension("generation") == "0");
  CHECK(c[4].tcp_type == "so");
  CHECK(c[5].type == "srflx");
  CHECK(c[5].related_address == "10.0.1.1");
  CHECK(c[5].related_port == 9);
  CHECK(c[5].tcp_type == "active");
  CHECK(c[6].tcp_type == "passive");
  CHECK(*c[6].Extension("generation") == "5");
  CHECK(sd.media[1].rtcp->port == 12312);
  CHECK_FALSE(sd.media[1].rtcp->connection);
  CHECK(sd.media[2].sctpmap == Sctpmap{5000, "webrtc-datachannel", 1024});
  CHECK(sd.media[2].FindAttribute("framerate"));
  CHECK(sd.media[0].FindAttribute("crypto"));

  auto firefox = ParseFixture("aiortc/audio_firefox.sdp");
  CHECK(firefox.direction == Direction::kSendRecv);
  const auto& fc = firefox.media[0].candidates;
  REQUIRE(fc.size() == 10);
  CHECK(fc[1].address == "2a02:a03f:3eb0:e000:b0aa:d60a:cff2:933c");
  CHECK(fc[8].related_address == "192.168.99.58");
  CHECK(fc[8].related_port == 37264);
  CHECK(fc[4].component == 2);
  CHECK(firefox.media[0].end_of_candidates);
  CHECK(firefox.media[0].rtcp_mux);
  REQUIRE(firefox.media[0].rtcp);
  CHECK(firefox.media[0].rtcp->port == 38612);
  CHECK(firefox.media[0].rtcp->connection == Connection{"IN", "IP4", "192.168.99.58"});
}

TEST_CASE("SdpParser reads data channel sections, old and new") {
  auto legacy = ParseFixture("aiortc/datachannel_firefox.sdp");
  const auto& m = legacy.media[0];
  CHECK(m.kind == MediaKind::kApplication);
  CHECK(m.proto == "DTLS/SCTP");
  CHECK(m.IsSctp());
  CHECK_FALSE(m.IsRtp());
  CHECK(m.formats == std::vector<std::string>{"5000"});
  CHECK(m.sctpmap == Sctpmap{5000, "webrtc-datachannel", 256});
  CHECK(m.max_message_size == 1073741823u);

  auto modern = ParseFixture("aiortc/datachannel_firefox_63.sdp");
  CHECK(modern.media[0].formats == std::vector<std::string>{"webrtc-datachannel"});
  CHECK(modern.media[0].sctp_port == 5000);
  auto chrome = ParseFixture("sdp-transform/sctp-dtls-26.sdp");
  CHECK(chrome.media[0].max_message_size == 10000u);
  REQUIRE(chrome.msid_semantic);
  CHECK(chrome.msid_semantic->semantic == "WMS");
}

TEST_CASE("SdpParser reads extmap directions, encrypted extensions and odd fmtp") {
  auto enc = ParseFixture("sdp-transform/extmap-encrypt.sdp");
  const auto& e = enc.media[0].extmaps;
  REQUIRE(e.size() == 4);
  CHECK(e[0] == Extmap{1, Direction::kSendOnly, "URI-toffset", ""});
  CHECK(e[2] == Extmap{3, std::nullopt, "urn:ietf:params:rtp-hdrext:encrypt",
                       "urn:ietf:params:rtp-hdrext:smpte-tc 25@600/24"});
  CHECK(e[3].direction == Direction::kRecvOnly);

  auto normal = ParseFixture("sdp-transform/normal.sdp");
  CHECK(normal.fingerprints[0].algorithm == "sha-1");
  CHECK(normal.setup == SetupRole::kActPass);
  CHECK(normal.ice_ufrag == "F7gI");
  CHECK(normal.media[0].extmap_allow_mixed);
  CHECK(*normal.media[1].FindFmtp(97)->Find("sprop-parameter-sets") == "Z0IAH5WoFAFuQA==,aM48gA==");
  CHECK(normal.media[1].FindFmtp(98)->params ==
        std::vector<FmtpParam>{{"minptime", "10"}, {"useinbandfec", "1"}});
  CHECK(normal.media[1].rtcp_fbs[0] == RtcpFb{std::nullopt, "nack", ""});
  CHECK(normal.media[1].rtcp_fbs[2] == RtcpFb{98, "trr-int", "100"});
  CHECK(normal.media[1].ssrcs[1] == SsrcAttribute{1399694169u, "baz", std::nullopt});

  auto star = ParseFixture("aiortc/video_session_star_rtcp_fb.sdp");
  CHECK(star.media[0].RtcpFbsFor(120).size() == 3);

  auto alac = ParseFixture("sdp-transform/alac.sdp");
  CHECK(alac.media[0].rtpmaps[0] == RtpMap{96, "AppleLossless", 0, 0});
  CHECK(alac.media[0].fmtps[0].params.size() == 1);
  CHECK(alac.connection->address == "fe80::5a55:caff:fe1a:e187");
}

TEST_CASE("SdpParser reads session-level lines and defaults a missing t=") {
  auto sd = ParseFixture("sdp-transform/ts-refclk-media.sdp");
  CHECK(sd.information == "A Seminar on the session description protocol");
  CHECK(sd.uri == "http://www.example.com/seminars/sdp.pdf");
  CHECK(sd.emails == std::vector<std::string>{"j.doe@example.com (Jane Doe)"});
  REQUIRE(sd.timings.size() == 1);
  CHECK(sd.timings[0].start == 2873397496u);
  CHECK(sd.connection->address == "233.252.0.1/64");
  auto bfcp = ParseFixture("sdp-transform/bfcp.sdp");
  CHECK(bfcp.session_name.empty());
  CHECK(bfcp.bandwidths == std::vector<Bandwidth>{{"AS", 1024}});
  CHECK(bfcp.media[2].formats == std::vector<std::string>{"*"});
  auto onvif = ParseFixture("sdp-transform/onvif.sdp");
  REQUIRE(onvif.timings.size() == 1);
  CHECK(onvif.timings[0] == Timing{});
  auto dante = ParseFixture("sdp-transform/dante-aes67.sdp");
  CHECK(dante.media[0].information == "2 channels: TxChan 0, TxChan 1");
  auto lite = ParseFixture("aiortc/audio_ice_lite.sdp");
  CHECK(lite.ice_lite);
  auto st2110 = ParseFixture("sdp-transform/st2110-20.sdp");
  CHECK(st2110.groups[0] == Group{"DUP", {"primary", "secondary"}});
}

TEST_CASE("SdpParser accepts LF line endings like CRLF") {
  std::string crlf = cascade::test::ReadText("sdp/semantic-sdp-js/chrome_unified_simulcast.sdp");
  std::string lf;
  for (char c : crlf) {
    if (c != '\r') lf += c;
  }
  auto a = ParseSdp(crlf);
  auto b = ParseSdp(lf);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
}

namespace {
struct BadDescriptionCase {
  const char* name;
  std::string body;  // appended after a valid session header (5 lines)
  ParseErrorKind kind;
  uint32_t line;
  const char* message_part;
};
const std::string kHead = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const std::string kAudio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
}  // namespace

TEST_CASE("SdpParser gives a typed error with the line for malformed input") {
  std::vector<BadDescriptionCase> cases = {
      {"garbage line", "hello world\r\n", ParseErrorKind::kBadLine, 5, "expected <letter>=<value>"},
      {"no equals", "a\r\n", ParseErrorKind::kBadLine, 5, "expected"},
      {"binary", std::string("a=x\0y\r\n", 7), ParseErrorKind::kBadLine, 5, "control character"},
      {"huge line", "a=x:" + std::string(5000, 'y') + "\r\n", ParseErrorKind::kLineTooLong, 5,
       "over the limit"},
      {"port too big", "m=audio 70000 RTP/AVP 0\r\n", ParseErrorKind::kOutOfRange, 5,
       "port '70000' is above 65535"},
      {"port huge", "m=audio 99999999999999999999999 RTP/AVP 0\r\n", ParseErrorKind::kOutOfRange, 5,
       "above 65535"},
      {"port not number", "m=audio x RTP/AVP 0\r\n", ParseErrorKind::kBadMedia, 5, "not a number"},
      {"m= too short", "m=audio 9\r\n", ParseErrorKind::kBadMedia, 5, "m= needs"},
      {"payload type > 127", "m=audio 9 RTP/AVP 128\r\n", ParseErrorKind::kOutOfRange, 5,
       "payload type '128' is above 127"},
      {"rtpmap pt > 127", kAudio + "a=rtpmap:300 opus/48000/2\r\n", ParseErrorKind::kOutOfRange, 6,
       "above 127"},
      {"rtpmap no clock", kAudio + "a=rtpmap:111 opus/x\r\n", ParseErrorKind::kBadAttribute, 6, "clock rate"},
      {"fmtp pt text", kAudio + "a=fmtp:abc x=1\r\n", ParseErrorKind::kBadAttribute, 6, "not a number"},
      {"rtcp-fb pt > 127", kAudio + "a=rtcp-fb:200 nack\r\n", ParseErrorKind::kOutOfRange, 6, "above 127"},
      {"extmap id 256", kAudio + "a=extmap:256 urn:x\r\n", ParseErrorKind::kOutOfRange, 6, "not 1-255"},
      {"extmap id 0", kAudio + "a=extmap:0 urn:x\r\n", ParseErrorKind::kOutOfRange, 6, "not 1-255"},
      {"extmap bad dir", kAudio + "a=extmap:1/up urn:x\r\n", ParseErrorKind::kBadAttribute, 6, "direction"},
      {"extmap dup id", kAudio + "a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n", ParseErrorKind::kDuplicate, 7,
       "used twice"},
      {"ssrc too big", kAudio + "a=ssrc:4294967296 cname:x\r\n", ParseErrorKind::kOutOfRange, 6, "32-bit"},
      {"ssrc-group too big", kAudio + "a=ssrc-group:FID 1 99999999999\r\n", ParseErrorKind::kOutOfRange, 6,
       "32-bit"},
      {"candidate short", kAudio + "a=candidate:1 1 udp 1 1.2.3.4 5\r\n", ParseErrorKind::kBadAttribute, 6,
       "a=candidate needs"},
      {"candidate component", kAudio + "a=candidate:1 0 udp 1 1.2.3.4 5 typ host\r\n",
       ParseErrorKind::kBadAttribute, 6, "component"},
      {"candidate priority", kAudio + "a=candidate:1 1 udp 99999999999 1.2.3.4 5 typ host\r\n",
       ParseErrorKind::kBadAttribute, 6, "priority"},
      {"candidate port", kAudio + "a=candidate:1 1 udp 1 1.2.3.4 65536 typ host\r\n",
       ParseErrorKind::kBadAttribute, 6, "port"},
      {"candidate typ", kAudio + "a=candidate:1 1 udp 1 1.2.3.4 5 type host\r\n",
       ParseErrorKind::kBadAttribute, 6, "'typ'"},
      {"candidate odd ext", kAudio + "a=candidate:1 1 udp 1 1.2.3.4 5 typ host generation\r\n",
       ParseErrorKind::kBadAttribute, 6, "no value"},
      {"fingerprint hex", kAudio + "a=fingerprint:sha-256 ZZ:00\r\n", ParseErrorKind::kBadAttribute, 6,
       "hex pairs"},
      {"fingerprint fields", "a=fingerprint:sha-256\r\n", ParseErrorKind::kBadAttribute, 5, "needs"},
      {"setup", "a=setup:both\r\n", ParseErrorKind::kBadAttribute, 5, "actpass"},
      {"ice-ufrag chars", "a=ice-ufrag:a:b\r\n", ParseErrorKind::kBadAttribute, 5, "ice-ufrag"},
      {"direction value", kAudio + "a=sendonly:yes\r\n", ParseErrorKind::kBadAttribute, 6, "takes no value"},
      {"rtcp-mux value", kAudio + "a=rtcp-mux:1\r\n", ParseErrorKind::kBadAttribute, 6, "takes no value"},
      {"two directions", kAudio + "a=sendonly\r\na=recvonly\r\n", ParseErrorKind::kDuplicate, 7, "twice"},
      {"two mids", kAudio + "a=mid:0\r\na=mid:1\r\n", ParseErrorKind::kDuplicate, 7, "a=mid"},
      {"mid with space", kAudio + "a=mid:a b\r\n", ParseErrorKind::kBadAttribute, 6, "token"},
      {"rid dir", kAudio + "a=rid:a sideways\r\n", ParseErrorKind::kBadAttribute, 6, "send or recv"},
      {"rid id", kAudio + "a=rid:a.b send\r\n", ParseErrorKind::kBadAttribute, 6, "letters"},
      {"rid pt", kAudio + "a=rid:a send pt=500\r\n", ParseErrorKind::kOutOfRange, 6, "above 127"},
      {"simulcast dir", kAudio + "a=simulcast:up a;b\r\n", ParseErrorKind::kBadAttribute, 6,
       "not send or recv"},
      {"simulcast empty", kAudio + "a=simulcast:send a;;b\r\n", ParseErrorKind::kBadAttribute, 6, "rid ''"},
      {"sctp-port", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:70000\r\n",
       ParseErrorKind::kOutOfRange, 6, "0-65535"},
      {"max-message-size", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=max-message-size:-1\r\n",
       ParseErrorKind::kOutOfRange, 6, "max-message-size"},
      {"c= type", "c=IN IP7 1.2.3.4\r\n", ParseErrorKind::kBadConnection, 5, "IP7"},
      {"b= value", "b=AS:lots\r\n", ParseErrorKind::kBadBandwidth, 5, "not a number"},
      {"t= after m=", kAudio + "t=0 0\r\n", ParseErrorKind::kMisplaced, 6, "session-level"},
      {"second v=", "v=0\r\n", ParseErrorKind::kMisplaced, 5, "twice"},
      {"msid fields", kAudio + "a=msid:a b c\r\n", ParseErrorKind::kBadAttribute, 6, "msid"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto result = ParseSdp(kHead + c.body);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == c.kind);
    CHECK(result.error().line == c.line);
    CHECK(result.error().Describe().find(c.message_part) != std::string::npos);
    CHECK(result.error().Describe().find("line " + std::to_string(c.line) + ": ") == 0);
  }
}

TEST_CASE("SdpParser rejects broken session headers") {
  struct Case {
    std::string text;
    ParseErrorKind kind;
  };
  std::vector<Case> cases = {
      {"", ParseErrorKind::kMissingVersion},
      {"o=- 1 1 IN IP4 1.2.3.4\r\n", ParseErrorKind::kMissingVersion},
      {"v=1\r\n", ParseErrorKind::kBadVersion},
      {"v=0\r\ns=-\r\n", ParseErrorKind::kMissingOrigin},
      {"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n", ParseErrorKind::kMissingSessionName},
      {"v=0\r\no=- x 1 IN IP4 1.2.3.4\r\ns=-\r\n", ParseErrorKind::kBadOrigin},
      {"v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n", ParseErrorKind::kBadOrigin},
      {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=now\r\n", ParseErrorKind::kBadTiming},
      {"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nr=1\r\n", ParseErrorKind::kMisplaced},
      {std::string(kMaxSdpSize + 1, 'v'), ParseErrorKind::kTooLarge},
  };
  std::string many = kHead;
  for (size_t i = 0; i <= kMaxMediaSections; ++i) many += "m=audio 9 RTP/AVP 0\r\n";
  cases.push_back({many, ParseErrorKind::kTooManyMediaSections});
  for (const auto& c : cases) {
    CAPTURE(c.text.substr(0, 60));
    auto result = ParseSdp(c.text);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == c.kind);
    CHECK_FALSE(result.error().message.empty());
    CHECK(std::string(ToString(c.kind)) != "unknown");
  }
}
