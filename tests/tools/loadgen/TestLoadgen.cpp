#include <doctest/doctest.h>

#include <array>

#include "core/codecs/PayloadInspector.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "core/sdp/SdpParser.hpp"
#include "tools/loadgen/EdgeMetrics.hpp"
#include "tools/loadgen/HttpClient.hpp"
#include "tools/loadgen/LoadGenerator.hpp"
#include "tools/loadgen/SdpOffer.hpp"
#include "tools/loadgen/SyntheticMedia.hpp"
#include "tools/loadgen/WebRtcClient.hpp"

using namespace cascade;
using namespace cascade::loadgen;

TEST_CASE("Vp8Packetizer cuts a frame into descriptor-marked packets under 1200 bytes") {
  Vp8Packetizer vp8(0x1234, 96);
  std::array<uint8_t, kMaxRtpPacket> buffer{};
  for (bool keyframe : {true, false}) {
    vp8.StartFrame(keyframe, 4000);
    size_t total = 0;
    int index = 0;
    while (vp8.HasPacket()) {
      size_t n = vp8.WritePacket(buffer);
      CHECK(n <= kMaxRtpPacket);
      auto packet = rtp::RtpPacket::Parse(std::span<uint8_t>(buffer.data(), n));
      REQUIRE(packet.ok());
      CHECK(packet->ssrc() == 0x1234);
      auto info = codecs::InspectPayload(codecs::CodecKind::kVp8, packet->payload());
      REQUIRE(info.ok());
      CHECK(info->begins_frame == (index == 0));
      CHECK(info->is_keyframe == (keyframe && index == 0));
      if (keyframe && index == 0) {
        CHECK(info->width == 640);
        CHECK(info->height == 360);
      }
      total += packet->payload_size() - 1;
      ++index;
      CHECK(packet->marker() == !vp8.HasPacket());
    }
    CHECK(total == 4000);
    CHECK(index == 4);
  }
  CHECK(vp8.keyframes() == 1);
}

TEST_CASE("StreamCounter counts sequence gaps across the wrap") {
  StreamCounter counter;
  for (uint16_t seq : {65533, 65534, 0, 1, 3}) counter.OnPacket(seq);
  CHECK(counter.packets == 5);
  CHECK(counter.expected() == 7);
  CHECK(counter.lost() == 2);
}

TEST_CASE("BuildOffer makes a parseable BUNDLE offer with our credentials and SSRCs") {
  auto certificate = dtls::Certificate::Generate("test");
  OfferParams params;
  params.publish = true;
  params.ice_ufrag = "abcd";
  params.ice_pwd = "0123456789012345678901";
  params.fingerprint = certificate->fingerprint();
  params.candidate = *net::SocketAddress::Parse("127.0.0.1", 5000);
  params.audio_ssrc = 11;
  params.video_ssrc = 22;
  auto sdp = sdp::ParseSdp(BuildOffer(params));
  REQUIRE(sdp.ok());
  REQUIRE(sdp->media.size() == 2);
  REQUIRE(sdp->BundleGroup());
  CHECK(sdp->media[0].rtcp_mux);
  CHECK(sdp->media[1].ice_ufrag == "abcd");
  CHECK(sdp->media[1].ssrcs.front().ssrc == 22);
  CHECK(sdp->media[1].candidates.front().port == 5000);
}

TEST_CASE("ParseAnswer takes the candidate, credentials, fingerprint and DTLS role") {
  auto certificate = dtls::Certificate::Generate("edge");
  std::string answer =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 100\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:edgeufrag\r\n"
      "a=ice-pwd:edgepassword0123456789ab\r\na=fingerprint:" +
      certificate->fingerprint().ToString() +
      "\r\na=setup:passive\r\na=rtcp-mux\r\na=rtpmap:100 VP8/90000\r\n"
      "a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host\r\n";
  std::string error;
  auto info = ParseAnswer(answer, error);
  REQUIRE_MESSAGE(info, error);
  CHECK(info->ice_ufrag == "edgeufrag");
  CHECK(info->candidate == *net::SocketAddress::Parse("127.0.0.1", 10000));
  CHECK(info->fingerprint == certificate->fingerprint());
  CHECK(info->our_dtls_role == dtls::DtlsRole::kClient);
  CHECK(info->video_payload_type == 100);
  CHECK(!ParseAnswer("v=0\r\n", error));
}

TEST_CASE("FindSample reads Prometheus samples by name and label") {
  const char* text =
      "# HELP cascade_process_resident_bytes x\n"
      "cascade_process_resident_bytes 1048576\n"
      "cascade_process_cpu_seconds_total 2.5\n"
      "cascade_edge_sessions{kind=\"publisher\"} 1\n"
      "cascade_edge_sessions{kind=\"viewer\"} 200\n"
      "cascade_media_packets_forwarded_total_extra 9\n"
      "cascade_media_packets_forwarded_total 12345\n";
  CHECK(FindSample(text, "cascade_edge_sessions", "kind=\"viewer\"") == 200);
  CHECK(FindSample(text, "cascade_media_packets_forwarded_total") == 12345);
  CHECK(!FindSample(text, "missing"));
  auto snapshot = ParseEdgeSnapshot(text);
  REQUIRE(snapshot);
  CHECK(snapshot->cpu_seconds == 2.5);
  CHECK(snapshot->has_cpu);
  CHECK(snapshot->publisher_sessions == 1);
  CHECK(!ParseEdgeSnapshot("cascade_process_resident_bytes 1\n"));
}

TEST_CASE("HTTP helpers: URL parsing, request serialisation, percentiles") {
  CHECK(ParseHttpUrl("http://127.0.0.1:8090") == net::SocketAddress::Parse("127.0.0.1", 8090));
  CHECK(ParseHttpUrl("http://127.0.0.1:8090/whep") == net::SocketAddress::Parse("127.0.0.1", 8090));
  CHECK(!ParseHttpUrl("https://127.0.0.1:8090"));
  HttpClientRequest request{"POST", "/whep/r", {{"Content-Type", "application/sdp"}}, "v=0\r\n"};
  std::string wire = HttpClient::Serialize(request, "127.0.0.1:8090");
  CHECK(wire.starts_with("POST /whep/r HTTP/1.1\r\nHost: 127.0.0.1:8090\r\n"));
  CHECK(wire.find("Content-Length: 5\r\n") != std::string::npos);
  CHECK(wire.ends_with("\r\n\r\nv=0\r\n"));
  CHECK(Percentile({5, 1, 4, 2, 3}, 50) == 3);
  CHECK(Percentile({5, 1, 4, 2, 3}, 95) == 5);
  CHECK(Percentile({}, 50) == 0);
}

TEST_CASE("A redirect's Location resolves to the edge's base URL and keeps its whole target") {
  auto absolute = ResolveLocation("http://127.0.0.1:8092/whep/demo?grant=abc.def", "http://127.0.0.1:8080");
  REQUIRE(absolute);
  CHECK(absolute->base == "http://127.0.0.1:8092");
  CHECK(absolute->target == "/whep/demo?grant=abc.def");
  auto relative = ResolveLocation("/whip/demo?grant=x", "http://127.0.0.1:8080");
  REQUIRE(relative);
  CHECK(relative->base == "http://127.0.0.1:8080");
  CHECK(relative->target == "/whip/demo?grant=x");
  CHECK(!ResolveLocation("https://127.0.0.1:8092/whep/demo", "http://127.0.0.1:8080"));
  CHECK(!ResolveLocation("http://127.0.0.1:8092", "http://127.0.0.1:8080"));
  CHECK(!ResolveLocation("", "http://127.0.0.1:8080"));
}
