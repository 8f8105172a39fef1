// edge::Negotiate on the offers this machine's Chromium makes (tests/data/sdp/chromium, from
// tests/browser/capture_offers.mjs): transport-cc and REMB for both roles, rtx only for
// viewers, codecs only from codecs::CodecTable, and answers our own parser reads back.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/codecs/CodecTable.hpp"
#include "core/net/HttpMessage.hpp"
#include "core/sdp/SdpParser.hpp"
#include "core/sdp/SdpSerializer.hpp"
#include "core/sdp/SdpText.hpp"
#include "edge/Negotiation.hpp"
#include "tests/TestData.hpp"

using namespace cascade;
using namespace cascade::edge;

namespace {

constexpr std::string_view kTransportWideCcUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr uint32_t kAudioSsrc = 0x1111;
constexpr uint32_t kVideoSsrc = 0x2222;
constexpr uint32_t kRtxSsrc = 0x3333;

LocalIdentity Identity() {
  LocalIdentity identity;
  identity.fingerprint = *dtls::Fingerprint::Parse(
      "sha-256 "
      "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99");
  identity.candidate_ip = "127.0.0.1";
  identity.candidate_port = 40000;
  return identity;
}

std::string ChromiumOffer(const std::string& name) { return cascade::test::ReadText("sdp/chromium/" + name); }

NegotiatedSession NegotiatePublisher(const std::string& offer, bool transport_cc = true) {
  NegotiationPolicy policy;
  policy.publisher_transport_cc = transport_cc;
  return Negotiate(offer, SessionKind::kPublisher, Identity(), 0, 0, 0, "cascade", policy);
}

NegotiatedSession NegotiateViewer(const std::string& offer, uint32_t rtx_ssrc = kRtxSsrc) {
  return Negotiate(offer, SessionKind::kViewer, Identity(), kAudioSsrc, kVideoSsrc, rtx_ssrc, "cascade");
}

// What we send must parse, and serialize back to the same text.
sdp::SessionDescription ParseAnswer(const NegotiatedSession& negotiated) {
  auto answer = sdp::ParseSdp(negotiated.answer_sdp);
  REQUIRE_MESSAGE(answer.ok(), (answer.ok() ? std::string() : answer.error().Describe()));
  CHECK(sdp::SerializeSdp(*answer) == negotiated.answer_sdp);
  return std::move(*answer);
}

const sdp::MediaDescription& Section(const sdp::SessionDescription& answer, sdp::MediaKind kind) {
  auto it = std::find_if(answer.media.begin(), answer.media.end(),
                         [&](const sdp::MediaDescription& m) { return m.kind == kind && m.port != 0; });
  REQUIRE(it != answer.media.end());
  return *it;
}

bool HasFeedback(const sdp::MediaDescription& m, uint16_t pt, std::string_view type) {
  return std::any_of(m.rtcp_fbs.begin(), m.rtcp_fbs.end(), [&](const sdp::RtcpFb& fb) {
    return fb.payload_type == pt && fb.type == type && fb.parameter.empty();
  });
}

std::vector<const sdp::RtpMap*> RtxMaps(const sdp::MediaDescription& m) {
  std::vector<const sdp::RtpMap*> out;
  for (const auto& r : m.rtpmaps) {
    if (sdp::EqualsIgnoreCase(r.encoding, codecs::kRtxSdpName)) out.push_back(&r);
  }
  return out;
}

uint16_t Apt(const sdp::MediaDescription& m, uint16_t rtx_pt) {
  const sdp::Fmtp* fmtp = m.FindFmtp(rtx_pt);
  REQUIRE(fmtp);
  REQUIRE(fmtp->Find("apt"));
  return static_cast<uint16_t>(*sdp::text::ParseUint(*fmtp->Find("apt"), 127));
}

// Both roles: the transport-wide-cc extension at the offer's id and rtcp-fb transport-cc and
// goog-remb on every codec payload type of every section.
void CheckBandwidthFeedback(const sdp::SessionDescription& answer, const NegotiatedSession& negotiated,
                            uint8_t offered_extension_id) {
  for (auto kind : {sdp::MediaKind::kAudio, sdp::MediaKind::kVideo}) {
    const auto& m = Section(answer, kind);
    CAPTURE(*m.mid);
    const sdp::Extmap* extmap = m.FindExtmap(kTransportWideCcUri);
    REQUIRE(extmap);
    CHECK(extmap->id == offered_extension_id);
    for (const auto& r : m.rtpmaps) {
      if (sdp::EqualsIgnoreCase(r.encoding, codecs::kRtxSdpName)) continue;
      CAPTURE(r.encoding);
      CHECK(HasFeedback(m, r.payload_type, "transport-cc"));
      if (kind == sdp::MediaKind::kVideo) CHECK(HasFeedback(m, r.payload_type, "goog-remb"));
    }
  }
  CHECK(negotiated.transport_cc);
  CHECK(negotiated.remb);
  CHECK(negotiated.TransportCcExtensionId() == offered_extension_id);
  CHECK(negotiated.extension_by_id[offered_extension_id] == rtp::ExtensionUri::kTransportWideCc);
}

// Every codec in the answer is a codec table row, recorded with its table kind.
void CheckCodecsFromTable(const sdp::SessionDescription& answer, const NegotiatedSession& negotiated) {
  for (const auto& m : answer.media) {
    for (const auto& r : m.rtpmaps) {
      if (sdp::EqualsIgnoreCase(r.encoding, codecs::kRtxSdpName)) continue;
      CAPTURE(r.encoding);
      const codecs::CodecDescription* codec = codecs::FindCodecBySdpName(r.encoding);
      REQUIRE(codec);
      REQUIRE(negotiated.payload_types[r.payload_type].valid);
      CHECK(negotiated.payload_types[r.payload_type].codec == codec->kind);
      CHECK(negotiated.payload_types[r.payload_type].clock_rate == codec->clock_rate);
    }
  }
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("Negotiate answers Chromium's simulcast WHIP offer with transport-cc and REMB, without rtx") {
  const std::string offer = ChromiumOffer("publish_offer.sdp");
  const auto negotiated = NegotiatePublisher(offer);
  const auto answer = ParseAnswer(negotiated);
  CheckBandwidthFeedback(answer, negotiated, 3);
  CheckCodecsFromTable(answer, negotiated);

  const auto& video = Section(answer, sdp::MediaKind::kVideo);
  CHECK(video.direction == sdp::Direction::kRecvOnly);
  CHECK(RtxMaps(video).empty());
  CHECK(video.ssrc_groups.empty());
  REQUIRE(video.simulcast);  // the three layers are still received
  CHECK(video.simulcast->recv.size() == 3);
  // mid and rid stay for publishers: the room finds layers by them.
  CHECK(negotiated.id_by_extension[static_cast<size_t>(rtp::ExtensionUri::kMid)] == 4);
  CHECK(negotiated.id_by_extension[static_cast<size_t>(rtp::ExtensionUri::kRid)] == 10);

  CHECK(negotiated.PayloadTypeFor(codecs::CodecKind::kVp8) == 96);
  CHECK(negotiated.PayloadTypeFor(codecs::CodecKind::kOpus) == 111);
  for (auto codec : codecs::AllCodecs())
    CHECK(negotiated.RtxPayloadTypeFor(codec.kind) == media::kNoPayloadType);
  CHECK(negotiated.video_rtx_ssrc == 0);
}

TEST_CASE("Negotiate leaves transport-cc out for publishers when the policy says so, REMB always") {
  const auto negotiated = NegotiatePublisher(ChromiumOffer("publish_offer.sdp"), false);
  const auto answer = ParseAnswer(negotiated);
  CHECK(negotiated.answer_sdp.find("transport-cc") == std::string::npos);
  CHECK(negotiated.answer_sdp.find(kTransportWideCcUri) == std::string::npos);
  CHECK_FALSE(negotiated.transport_cc);
  CHECK(negotiated.TransportCcExtensionId() == 0);
  CHECK(negotiated.remb);
  CHECK(HasFeedback(Section(answer, sdp::MediaKind::kVideo), 96, "goog-remb"));
  // The default policy (what EdgeNode uses) gives publishers transport-cc: the room answers
  // with transport-cc feedback.
  const auto by_default =
      Negotiate(ChromiumOffer("publish_offer.sdp"), SessionKind::kPublisher, Identity(), 0, 0, 0, "cascade");
  CHECK(by_default.transport_cc);
}

TEST_CASE("Negotiate answers Chromium's WHEP offer with transport-cc, REMB, rtx per codec and an FID group") {
  const std::string offer_text = ChromiumOffer("watch_offer.sdp");
  const auto negotiated = NegotiateViewer(offer_text);
  const auto answer = ParseAnswer(negotiated);
  CheckBandwidthFeedback(answer, negotiated, 3);
  CheckCodecsFromTable(answer, negotiated);
  auto offer = sdp::ParseSdp(offer_text);
  REQUIRE(offer.ok());

  const auto& video = Section(answer, sdp::MediaKind::kVideo);
  CHECK(video.direction == sdp::Direction::kSendOnly);
  // RFC 4588 §8.7: our video SSRC and its rtx SSRC, both with cname and msid.
  CHECK(video.ssrc_groups == std::vector<sdp::SsrcGroup>{{"FID", {kVideoSsrc, kRtxSsrc}}});
  CHECK(std::count_if(video.ssrcs.begin(), video.ssrcs.end(),
                      [](const sdp::SsrcAttribute& a) { return a.ssrc == kRtxSsrc; }) == 2);
  CHECK(negotiated.video_rtx_ssrc == kRtxSsrc);

  // Every video codec payload type has exactly one rtx payload type, the one the offer pairs
  // with it, and NegotiatedSession records that pairing.
  const auto rtx = RtxMaps(video);
  size_t primaries = 0;
  for (const auto& r : video.rtpmaps) {
    if (sdp::EqualsIgnoreCase(r.encoding, codecs::kRtxSdpName)) continue;
    ++primaries;
    CAPTURE(r.payload_type);
    const auto repairing = std::count_if(rtx.begin(), rtx.end(), [&](const sdp::RtpMap* x) {
      return Apt(video, x->payload_type) == r.payload_type;
    });
    CHECK(repairing == 1);
    const uint8_t rtx_pt = negotiated.payload_types[r.payload_type].rtx_payload_type;
    REQUIRE(rtx_pt != media::kNoPayloadType);
    CHECK(Apt(*offer->FindMedia(*video.mid), rtx_pt) == r.payload_type);
    CHECK(video.FindRtpMap(rtx_pt)->clock_rate == 90000);
  }
  CHECK(rtx.size() == primaries);
  // rtx repairs only what we answered: red's rtx (apt=118) is not kept.
  CHECK_FALSE(video.FindRtpMap(119));
  CHECK(negotiated.RtxPayloadTypeFor(codecs::CodecKind::kVp8) == 97);
  CHECK(negotiated.RtxPayloadTypeFor(codecs::CodecKind::kVp9) == 99);  // profile 0 (98), not 2 (100)
  CHECK(negotiated.RtxPayloadTypeFor(codecs::CodecKind::kAv1) != media::kNoPayloadType);

  const auto& audio = Section(answer, sdp::MediaKind::kAudio);
  CHECK(RtxMaps(audio).empty());
  CHECK(audio.ssrc_groups.empty());
  CHECK(negotiated.RtxPayloadTypeFor(codecs::CodecKind::kOpus) == media::kNoPayloadType);
  // Viewers never get mid/rid: they demultiplex by our SSRCs.
  CHECK(negotiated.id_by_extension[static_cast<size_t>(rtp::ExtensionUri::kMid)] == 0);
}

TEST_CASE("Negotiate leaves rtx out for a viewer without an rtx SSRC") {
  const auto negotiated = NegotiateViewer(ChromiumOffer("watch_offer.sdp"), 0);
  const auto answer = ParseAnswer(negotiated);
  const auto& video = Section(answer, sdp::MediaKind::kVideo);
  CHECK(RtxMaps(video).empty());
  CHECK(video.ssrc_groups.empty());
  CHECK(negotiated.video_rtx_ssrc == 0);
  CHECK(negotiated.RtxPayloadTypeFor(codecs::CodecKind::kVp8) == media::kNoPayloadType);
  CHECK(negotiated.transport_cc);
}

TEST_CASE("Negotiate reports transport-cc only with both the extension and the feedback") {
  const std::string offer = ChromiumOffer("watch_offer.sdp");
  SUBCASE("no transport-cc feedback offered") {
    const auto negotiated = NegotiateViewer(Replace(offer, " transport-cc\r\n", " goog-lntf\r\n"));
    CHECK(negotiated.answer_sdp.find("transport-cc") == std::string::npos);
    CHECK(negotiated.TransportCcExtensionId() == 3);
    CHECK_FALSE(negotiated.transport_cc);
    CHECK(negotiated.remb);
  }
  SUBCASE("no transport-wide-cc extension offered") {
    const auto negotiated =
        NegotiateViewer(Replace(offer, std::string(kTransportWideCcUri), "urn:example:none"));
    CHECK(negotiated.TransportCcExtensionId() == 0);
    CHECK_FALSE(negotiated.transport_cc);
  }
  SUBCASE("neither transport-cc nor REMB") {
    const auto negotiated = NegotiateViewer(
        Replace(Replace(offer, " transport-cc\r\n", " goog-lntf\r\n"), " goog-remb\r\n", " goog-lntf\r\n"));
    CHECK_FALSE(negotiated.transport_cc);
    CHECK_FALSE(negotiated.remb);
    CHECK(negotiated.has_video);
  }
}

TEST_CASE("Negotiate takes codecs only from the codec table") {
  const std::string offer = ChromiumOffer("publish_offer.sdp");
  SUBCASE("an offer with no table codec is refused with 400") {
    // Every table codec renamed to a name no row has ("XVP8", "Xopus"); only chat is left.
    std::string unknown = offer;
    for (auto codec : codecs::AllCodecs()) {
      unknown =
          Replace(unknown, std::string(" ") + codec.sdp_name + "/", std::string(" X") + codec.sdp_name + "/");
    }
    try {
      NegotiatePublisher(unknown);
      FAIL("an offer without a known codec was accepted");
    } catch (const net::HttpError& error) {
      CHECK(error.status() == 400);
      CHECK(std::string(error.what()).find("no audio or video") != std::string::npos);
    }
  }
  SUBCASE("an unknown video codec is dropped, the known ones stay") {
    const auto negotiated = NegotiatePublisher(Replace(offer, " VP8/90000", " H265/90000"));
    const auto answer = ParseAnswer(negotiated);
    CheckCodecsFromTable(answer, negotiated);
    CHECK(negotiated.PayloadTypeFor(codecs::CodecKind::kVp8) == media::kNoPayloadType);
    CHECK_FALSE(Section(answer, sdp::MediaKind::kVideo).FindRtpMap(96));
    CHECK(negotiated.PayloadTypeFor(codecs::CodecKind::kH264) != media::kNoPayloadType);
  }
  SUBCASE("codec names match case-insensitively (RFC 8866 §6.6 leaves the case to the offerer)") {
    const auto negotiated = NegotiatePublisher(Replace(offer, " VP8/90000", " vp8/90000"));
    CHECK(negotiated.PayloadTypeFor(codecs::CodecKind::kVp8) == 96);
  }
}
