#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/codecs/CodecTable.hpp"
#include "core/sdp/AnswerBuilder.hpp"
#include "core/sdp/SdpParser.hpp"
#include "core/sdp/SdpSerializer.hpp"
#include "tests/TestData.hpp"

using namespace cascade::sdp;

namespace {

const char* kOurFingerprint =
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";

AnswerOptions WhipOptions() {
  AnswerOptions o;
  o.ice_ufrag = "edgeUfrag";
  o.ice_pwd = "edgePasswordLongEnough123";
  o.fingerprint = Fingerprint{"sha-256", kOurFingerprint};
  auto candidate = ParseCandidate("1 1 udp 2130706431 203.0.113.5 40000 typ host");
  o.candidates.push_back(*candidate);
  o.session_id = 777;
  return o;
}

SessionDescription Offer(const std::string& name) {
  auto sd = ParseSdp(cascade::test::ReadText("sdp/" + name));
  REQUIRE(sd.ok());
  return std::move(*sd);
}

SessionDescription Answer(const SessionDescription& offer, const AnswerOptions& options) {
  auto answer = BuildAnswer(offer, options);
  REQUIRE_MESSAGE(answer.ok(), (answer.ok() ? std::string() : answer.error().Describe()));
  // What we send must parse back to exactly what we built.
  auto reparsed = ParseSdp(SerializeSdp(*answer));
  REQUIRE(reparsed.ok());
  CHECK(*reparsed == *answer);
  return std::move(*answer);
}

std::vector<std::string> Encodings(const MediaDescription& m) {
  std::vector<std::string> out;
  for (const auto& r : m.rtpmaps) out.push_back(std::to_string(r.payload_type) + ":" + r.encoding);
  return out;
}

// Checks the transport and identity fields every accepted section of our answer carries.
void CheckAccepted(const MediaDescription& m, const MediaDescription& offered) {
  CAPTURE(*offered.mid);
  CHECK(m.mid == offered.mid);
  CHECK(m.port == 40000);
  CHECK(m.connection->address == "203.0.113.5");
  CHECK(m.proto == offered.proto);
  CHECK(m.ice_ufrag == "edgeUfrag");
  CHECK(m.ice_pwd == "edgePasswordLongEnough123");
  REQUIRE(m.fingerprints.size() == 1);
  CHECK(m.fingerprints[0].value == kOurFingerprint);
  CHECK(m.setup == SetupRole::kPassive);
  REQUIRE(m.candidates.size() == 1);
  CHECK(m.end_of_candidates);
  if (m.IsRtp()) {
    CHECK(m.rtcp_mux);
    // Only offered payload types, each with the offer's rtpmap.
    for (const auto& r : m.rtpmaps) {
      CHECK(std::find(offered.formats.begin(), offered.formats.end(), std::to_string(r.payload_type)) !=
            offered.formats.end());
      REQUIRE(offered.FindRtpMap(r.payload_type));
      CHECK(*offered.FindRtpMap(r.payload_type) == r);
    }
    CHECK(m.formats.size() == m.rtpmaps.size());
    // Extension ids reused from the offer.
    for (const auto& e : m.extmaps) {
      REQUIRE(offered.FindExtmap(e.uri));
      CHECK(offered.FindExtmap(e.uri)->id == e.id);
    }
  }
}

}  // namespace

TEST_CASE("BuildAnswer answers the Chrome unified-plan simulcast offer (WHIP)") {
  auto offer = Offer("semantic-sdp-js/chrome_unified_simulcast.sdp");
  // The fixture's simulcast video section is inactive; a publishing browser sends it.
  REQUIRE(offer.media[3].direction == Direction::kInactive);
  {
    auto inactive = Answer(offer, WhipOptions());
    CHECK(inactive.media[3].direction == Direction::kInactive);
    CHECK_FALSE(inactive.media[3].simulcast);  // nothing to receive, so no simulcast
  }
  offer.media[3].direction = Direction::kSendOnly;
  auto answer = Answer(offer, WhipOptions());
  CHECK(answer.origin.session_id == 777);
  CHECK(answer.ice_lite);
  REQUIRE(answer.BundleGroup());
  CHECK(answer.BundleGroup()->mids == std::vector<std::string>{"0", "1", "2", "3"});
  REQUIRE(answer.media.size() == 4);
  for (size_t i = 0; i < 4; ++i) CheckAccepted(answer.media[i], offer.media[i]);

  // Audio: only Opus, with its fmtp and the transport-cc feedback we support.
  const auto& audio = answer.media[2];
  CHECK(Encodings(audio) == std::vector<std::string>{"111:opus"});
  CHECK(audio.formats == std::vector<std::string>{"111"});
  CHECK(audio.rtcp_fbs == std::vector<RtcpFb>{{111, "transport-cc", ""}});
  REQUIRE(audio.FindFmtp(111));
  CHECK(*audio.FindFmtp(111)->Find("useinbandfec") == "1");
  CHECK(audio.direction == Direction::kRecvOnly);            // offer sendonly, we receive
  CHECK(answer.media[0].direction == Direction::kInactive);  // offer inactive
  std::vector<uint16_t> audio_ids;
  for (const auto& e : audio.extmaps) audio_ids.push_back(e.id);
  CHECK(audio_ids == std::vector<uint16_t>{1, 9});

  // Video: VP8, VP9 and the H.264 packetization-mode=1 profiles we know, in our order, then rtx.
  const auto& video = answer.media[3];
  CHECK(video.formats ==
        std::vector<std::string>{"96", "98", "100", "127", "108", "97", "99", "101", "121", "109"});
  CHECK(*video.FindFmtp(101)->Find("apt") == "100");
  CHECK(*video.FindFmtp(108)->Find("profile-level-id") == "4d0032");  // level-asymmetry-allowed=1
  CHECK(video.RtcpFbsFor(96).size() == 5);
  CHECK(video.RtcpFbsFor(97).empty());
  CHECK(video.rtcp_rsize);
  std::vector<uint16_t> video_ids;
  for (const auto& e : video.extmaps) video_ids.push_back(e.id);
  CHECK(video_ids == std::vector<uint16_t>{3, 5, 9});
  CHECK(video.direction == Direction::kRecvOnly);
  // Simulcast received as offered: a=rid:<id> recv and a=simulcast:recv a;b;c.
  REQUIRE(video.simulcast);
  CHECK(video.simulcast->send.empty());
  CHECK(video.simulcast->recv == offer.media[3].simulcast->send);
  REQUIRE(video.rids.size() == 3);
  for (const auto& rid : video.rids) CHECK(rid.direction == RidDirection::kRecv);
  CHECK(video.rids[1].id == "b");
  CHECK(video.ssrcs.empty());  // we send nothing in a WHIP answer
  CHECK_FALSE(answer.msid_semantic);

  std::string text = SerializeSdp(answer);
  CHECK(text.find("a=setup:passive\r\n") != std::string::npos);
  CHECK(text.find("a=simulcast:recv a;b;c\r\n") != std::string::npos);
  CHECK(text.find("a=rid:a recv ssrc=2783061729\r\n") != std::string::npos);
}

TEST_CASE("BuildAnswer answers a Firefox rid simulcast offer with paused layers") {
  auto offer = Offer("semantic-sdp-js/simulcast.sdp");
  auto answer = Answer(offer, WhipOptions());
  CHECK(answer.BundleGroup()->mids == std::vector<std::string>{"sdparta_0", "sdparta_1"});
  CheckAccepted(answer.media[0], offer.media[0]);
  CheckAccepted(answer.media[1], offer.media[1]);
  CHECK(Encodings(answer.media[0]) == std::vector<std::string>{"109:opus"});
  // The audio-level extension was offered sendonly: we answer recvonly with the same id.
  REQUIRE(answer.media[0].extmaps.size() == 1);
  CHECK(answer.media[0].extmaps[0] ==
        Extmap{1, Direction::kRecvOnly, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", ""});
  const auto& video = answer.media[1];
  CHECK(Encodings(video) ==
        std::vector<std::string>{"120:VP8", "121:VP9", "126:H264"});  // 97 is packetization-mode 0
  REQUIRE(video.FindExtmap("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
  CHECK(video.FindExtmap("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id")->id == 3);
  CHECK(video.FindExtmap("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id")->direction == Direction::kRecvOnly);
  CHECK_FALSE(video.FindExtmap("urn:ietf:params:rtp-hdrext:toffset"));
  REQUIRE(video.simulcast);
  CHECK(video.simulcast->recv ==
        std::vector<SimulcastStream>{{{"f", false}, {"h", true}}, {{"i", false}}, {{"q", false}}});
  REQUIRE(video.rids.size() == 4);
  CHECK(video.rids[3] == Rid{"q", RidDirection::kRecv, {120, 121}, offer.media[1].rids[3].restrictions});
  CHECK(video.direction == Direction::kRecvOnly);
}

TEST_CASE("BuildAnswer answers data channel offers, old and new syntax") {
  struct Case {
    const char* fixture;
    bool legacy;
  };
  for (const auto& c :
       {Case{"aiortc/datachannel_firefox.sdp", true}, Case{"aiortc/datachannel_firefox_63.sdp", false},
        Case{"sdp-transform/sctp-dtls-26.sdp", false}}) {
    CAPTURE(c.fixture);
    auto offer = Offer(c.fixture);
    auto answer = Answer(offer, WhipOptions());
    REQUIRE(answer.media.size() == 1);
    const auto& m = answer.media[0];
    CheckAccepted(m, offer.media[0]);
    CHECK(m.max_message_size == 262144u);
    if (c.legacy) {
      CHECK(m.formats == std::vector<std::string>{"5000"});
      CHECK(m.sctpmap == Sctpmap{5000, "webrtc-datachannel", 256});
      CHECK_FALSE(m.sctp_port);
    } else {
      CHECK(m.formats == std::vector<std::string>{"webrtc-datachannel"});
      CHECK(m.sctp_port == 5000);
      CHECK_FALSE(m.sctpmap);
    }
  }
}

TEST_CASE("BuildAnswer sends with our SSRCs, msid and an RTX FID group for WHEP") {
  auto offer = Offer("semantic-sdp-js/simulcast_mix.sdp");  // Chrome audio + video, sendrecv
  auto options = WhipOptions();
  options.default_direction = Direction::kSendOnly;
  options.sections.push_back(
      SectionOptions{"audio", Direction::kSendOnly, SendStream{1111, 0, "edge", "s", "a0"}});
  options.sections.push_back(
      SectionOptions{"video", Direction::kSendOnly, SendStream{2222, 3333, "edge", "s", "v0"}});
  auto answer = Answer(offer, options);
  REQUIRE(answer.media.size() == 2);
  const auto& audio = answer.media[0];
  CHECK(audio.direction == Direction::kSendOnly);
  CHECK(audio.msids == std::vector<Msid>{{"s", "a0"}});
  CHECK(audio.ssrc_groups.empty());
  CHECK(audio.ssrcs == std::vector<SsrcAttribute>{{1111, "cname", "edge"}, {1111, "msid", "s a0"}});
  const auto& video = answer.media[1];
  CHECK(video.direction == Direction::kSendOnly);
  CHECK(video.ssrc_groups == std::vector<SsrcGroup>{{"FID", {2222, 3333}}});
  CHECK(video.ssrcs.size() == 4);
  CHECK_FALSE(video.simulcast);  // we do not receive, so the offered send simulcast is declined
  CHECK(video.rids.empty());
  REQUIRE(answer.msid_semantic);

  // A recvonly offer (WHEP viewer) gets sendonly.
  auto viewer = Offer("semantic-sdp-js/firefox_recvonly.sdp");
  auto whep = WhipOptions();
  whep.default_direction = Direction::kSendOnly;
  auto viewer_answer = Answer(viewer, whep);
  CHECK(viewer_answer.media[0].direction == Direction::kSendOnly);
}

TEST_CASE("BuildAnswer answers actpass/active/passive with the right DTLS role") {
  auto offer = Offer("semantic-sdp-js/firefox.sdp");
  struct Case {
    SetupRole offered;
    SetupRole ours;
  };
  for (auto c :
       {Case{SetupRole::kActPass, SetupRole::kPassive}, Case{SetupRole::kActive, SetupRole::kPassive},
        Case{SetupRole::kPassive, SetupRole::kActive}}) {
    for (auto& m : offer.media) m.setup = c.offered;
    auto answer = Answer(offer, WhipOptions());
    CHECK(answer.media[0].setup == c.ours);
  }
  for (auto& m : offer.media) m.setup = SetupRole::kHoldConn;
  auto failed = BuildAnswer(offer, WhipOptions());
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().kind == NegotiationErrorKind::kBadSetup);
}

TEST_CASE("BuildAnswer rejects a section without a supported codec when others remain") {
  auto offer = Offer("semantic-sdp-js/firefox.sdp");
  auto options = WhipOptions();
  std::erase_if(options.codecs, [](const CodecCapability& c) { return c.kind == MediaKind::kAudio; });
  auto answer = Answer(offer, options);
  REQUIRE(answer.media.size() == 2);
  CHECK(answer.media[0].port == 0);
  CHECK(answer.media[0].mid == "sdparta_0");
  CHECK(answer.media[0].formats == offer.media[0].formats);
  CHECK(answer.media[0].rtpmaps.empty());
  CHECK(answer.BundleGroup()->mids == std::vector<std::string>{"sdparta_1"});
  CHECK(answer.media[1].port == 40000);

  std::erase_if(options.codecs, [](const CodecCapability& c) { return c.kind == MediaKind::kVideo; });
  auto failed = BuildAnswer(offer, options);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().kind == NegotiationErrorKind::kNoSupportedCodec);
  CHECK(failed.error().Describe().find("no supported audio codec among [opus, G722, PCMU, PCMA]") !=
        std::string::npos);
}

TEST_CASE("BuildAnswer names what the offer is missing") {
  struct Case {
    const char* name;
    const char* fixture;
    void (*mutate)(SessionDescription&);
    NegotiationErrorKind kind;
    const char* message_part;
  };
  Case cases[] = {
      {"no BUNDLE", "aiortc/audio_ice_lite.sdp", [](SessionDescription&) {},
       NegotiationErrorKind::kMissingBundle, "a=group:BUNDLE"},
      {"no rtcp-mux", "semantic-sdp-js/firefox.sdp",
       [](SessionDescription& sd) { sd.media[1].rtcp_mux = false; }, NegotiationErrorKind::kMissingRtcpMux,
       "mid 'sdparta_1' has no a=rtcp-mux"},
      {"no fingerprint", "semantic-sdp-js/firefox.sdp",
       [](SessionDescription& sd) { sd.fingerprints.clear(); }, NegotiationErrorKind::kMissingFingerprint,
       "a=fingerprint"},
      {"no ice-pwd", "semantic-sdp-js/firefox.sdp",
       [](SessionDescription& sd) {
         for (auto& m : sd.media) m.ice_pwd.reset();
       },
       NegotiationErrorKind::kMissingIceCredentials, "a=ice-ufrag/a=ice-pwd"},
      {"no mid", "semantic-sdp-js/firefox.sdp", [](SessionDescription& sd) { sd.media[1].mid.reset(); },
       NegotiationErrorKind::kMissingMid, "m= section 1 (video) has no a=mid"},
      {"duplicate mid", "semantic-sdp-js/firefox.sdp",
       [](SessionDescription& sd) { sd.media[1].mid = "sdparta_0"; }, NegotiationErrorKind::kDuplicateMid,
       "two m= sections"},
      {"no media", "semantic-sdp-js/firefox.sdp", [](SessionDescription& sd) { sd.media.clear(); },
       NegotiationErrorKind::kNoMediaSections, "no m= sections"},
      {"nothing usable", "sdp-transform/sctp-dtls-26.sdp",
       [](SessionDescription& sd) { sd.media[0].formats = {"something-else"}; },
       NegotiationErrorKind::kNoUsableMedia, "not webrtc-datachannel"},
      {"not DTLS-SRTP", "semantic-sdp-js/firefox.sdp",
       [](SessionDescription& sd) {
         for (auto& m : sd.media) m.proto = "RTP/AVP";
       },
       NegotiationErrorKind::kNoUsableMedia, "is not DTLS-SRTP"},
  };
  for (const auto& c : cases) {
    std::string name = c.name;
    CAPTURE(name);
    auto offer = Offer(c.fixture);
    c.mutate(offer);
    auto result = BuildAnswer(offer, WhipOptions());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == c.kind);
    CHECK(result.error().Describe().find(c.message_part) != std::string::npos);
    CHECK(std::string(ToString(c.kind)) != "unknown");
  }
  auto offer = Offer("semantic-sdp-js/firefox.sdp");
  auto bad = WhipOptions();
  bad.ice_ufrag = "";
  CHECK(BuildAnswer(offer, bad).error().kind == NegotiationErrorKind::kBadOptions);
}

TEST_CASE("BuildAnswer lowers an H.264 level without level-asymmetry-allowed") {
  auto offer = Offer("semantic-sdp-js/firefox.sdp");
  auto& video = offer.media[1];
  video.fmtps[0].params = {{"profile-level-id", "42e033"}, {"packetization-mode", "1"}};  // pt 126, level 5.1
  auto answer = Answer(offer, WhipOptions());
  REQUIRE(answer.media[1].FindFmtp(126));
  CHECK(*answer.media[1].FindFmtp(126)->Find("profile-level-id") == "42e01f");
}

TEST_CASE("AnswerOptions offers every codec table row in table order, then rtx for video") {
  const auto codecs = AnswerOptions::DefaultCodecs();
  const auto table = cascade::codecs::AllCodecs();
  REQUIRE(codecs.size() == table.size() + 1);
  for (size_t i = 0; i < table.size(); ++i) {
    CAPTURE(table[i].name);
    CHECK(codecs[i].name == table[i].sdp_name);
    CHECK(codecs[i].clock_rate == table[i].clock_rate);
    CHECK(codecs[i].channels == table[i].channels);
    CHECK((codecs[i].kind == MediaKind::kAudio) == (table[i].media == cascade::codecs::MediaType::kAudio));
  }
  CHECK(codecs.back().name == cascade::codecs::kRtxSdpName);
  CHECK(codecs.back().kind == MediaKind::kVideo);
}

TEST_CASE("BuildAnswer keeps Chromium's transport-cc and an rtx per answered video codec") {
  auto offer = Offer("chromium/watch_offer.sdp");
  auto options = WhipOptions();
  options.default_direction = Direction::kSendOnly;
  auto answer = Answer(offer, options);
  const auto& video = answer.media[1];
  CheckAccepted(video, offer.media[1]);
  REQUIRE(video.FindExtmap("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"));
  CHECK(std::find(video.rtcp_fbs.begin(), video.rtcp_fbs.end(), RtcpFb{96, "transport-cc", ""}) !=
        video.rtcp_fbs.end());
  // VP8 first (our preference) with its rtx 97; VP9 profile 2 (100) and its rtx 101 are not answered.
  auto encodings = Encodings(video);
  REQUIRE(encodings.size() >= 2);
  CHECK(encodings[0] == "96:VP8");
  CHECK(std::find(encodings.begin(), encodings.end(), "97:rtx") != encodings.end());
  CHECK(std::find(encodings.begin(), encodings.end(), "100:VP9") == encodings.end());
  CHECK(std::find(encodings.begin(), encodings.end(), "101:rtx") == encodings.end());
}
