#include <doctest/doctest.h>

#include "core/base/Config.hpp"
#include "core/net/HttpMessage.hpp"
#include "core/sdp/SdpFragment.hpp"
#include "edge/IcePatch.hpp"
#include "edge/IceServers.hpp"
#include "edge/Negotiation.hpp"

using namespace cascade;
using namespace cascade::edge;

namespace {

const std::string kUfrag = "EsAw";
const std::string kPwd = "P2uYro0UCOQ4zxjKXaWCBui1";

int StatusOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const net::HttpError& error) {
    return error.status();
  }
  return 0;
}

}  // namespace

TEST_CASE("ParseIcePatch: same credentials is a trickle, new ones a restart") {
  auto trickle = ParseIcePatch(
      "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
      "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0\r\n",
      kUfrag, kPwd);
  CHECK(trickle.kind == IcePatchKind::kTrickle);
  CHECK(trickle.fragment.CandidateCount() == 1);

  // RFC 9725 §4.3.1's example: credentials at the session level only.
  auto no_credentials =
      ParseIcePatch("m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=end-of-candidates\r\n", kUfrag, kPwd);
  CHECK(no_credentials.kind == IcePatchKind::kTrickle);

  auto restart = ParseIcePatch(
      "a=ice-ufrag:ZZy2\r\na=ice-pwd:4ZFlNRdPDsGgtK2qBs1FVtZh\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n", kUfrag,
      kPwd);
  CHECK(restart.kind == IcePatchKind::kRestart);
  CHECK(restart.remote_ufrag == "ZZy2");
  CHECK(restart.remote_pwd == "4ZFlNRdPDsGgtK2qBs1FVtZh");

  // Credentials in the section count as much as at the session level.
  auto section_level = ParseIcePatch(
      "m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=ice-ufrag:ZZy2\r\na=ice-pwd:4ZFlNRdPDsGgtK2qBs1FVtZh\r\n", kUfrag,
      kPwd);
  CHECK(section_level.kind == IcePatchKind::kRestart);
}

TEST_CASE("ParseIcePatch: a bad fragment is a 400 that says what is wrong") {
  auto message_of = [](const std::string& body) {
    try {
      ParseIcePatch(body, kUfrag, kPwd);
    } catch (const net::HttpError& error) {
      CHECK(error.status() == 400);
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  CHECK(message_of("this is not a fragment").find("malformed trickle-ice-sdpfrag") != std::string::npos);
  CHECK(message_of("v=0\r\n").find("line 1") != std::string::npos);
  CHECK(message_of("a=ice-ufrag:ZZy2\r\n").find("without a=ice-pwd") != std::string::npos);
  CHECK(message_of("a=ice-pwd:4ZFlNRdPDsGgtK2qBs1FVtZh\r\n").find("no a=ice-ufrag") != std::string::npos);
  CHECK(message_of("a=ice-ufrag:EsAw\r\na=ice-pwd:4ZFlNRdPDsGgtK2qBs1FVtZh\r\n").find("did not") !=
        std::string::npos);
  CHECK(message_of("a=ice-ufrag:ab\r\na=ice-pwd:4ZFlNRdPDsGgtK2qBs1FVtZh\r\n").find("at least 4") !=
        std::string::npos);
  CHECK(message_of("a=ice-ufrag:ZZy2\r\na=ice-pwd:short\r\n").find("at least 22") != std::string::npos);
  CHECK(message_of("a=ice-ufrag:ZZy2\r\na=ice-pwd:4ZFlNRdPDsGgtK2qBs1FVtZh\r\nm=audio 9 RTP/AVP 0\r\n"
                   "a=ice-ufrag:QQQQ\r\n")
            .find("two different a=ice-ufrag") != std::string::npos);
  CHECK(message_of("a=candidate:garbage\r\n").find("malformed") != std::string::npos);
}

TEST_CASE("CheckIfMatch follows RFC 9725 §4.3.1") {
  const std::string etag = "\"abcd1234\"";
  CHECK(StatusOf([&] { CheckIfMatch("", etag, IcePatchKind::kTrickle); }) == 0);
  CHECK(StatusOf([&] { CheckIfMatch("\"abcd1234\"", etag, IcePatchKind::kTrickle); }) == 0);
  CHECK(StatusOf([&] { CheckIfMatch("\"old\", \"abcd1234\"", etag, IcePatchKind::kTrickle); }) == 0);
  CHECK(StatusOf([&] { CheckIfMatch("\"abcd1234\"", etag, IcePatchKind::kRestart); }) == 0);
  CHECK(StatusOf([&] { CheckIfMatch("*", etag, IcePatchKind::kRestart); }) == 0);
  CHECK(StatusOf([&] { CheckIfMatch("\"old\"", etag, IcePatchKind::kTrickle); }) == 412);
  CHECK(StatusOf([&] { CheckIfMatch("\"old\"", etag, IcePatchKind::kRestart); }) == 412);
  CHECK(StatusOf([&] { CheckIfMatch("W/\"abcd1234\"", etag, IcePatchKind::kTrickle); }) == 412);
  CHECK(StatusOf([&] { CheckIfMatch("*", etag, IcePatchKind::kTrickle); }) == 412);
  CHECK(IceSessionEtag("abcd1234") == etag);
}

TEST_CASE("HasMediaType ignores parameters and case") {
  CHECK(HasMediaType("application/trickle-ice-sdpfrag", kTrickleIceSdpfrag));
  CHECK(HasMediaType("Application/Trickle-ICE-Sdpfrag; charset=utf-8", kTrickleIceSdpfrag));
  CHECK(!HasMediaType("application/sdp", kTrickleIceSdpfrag));
  CHECK(!HasMediaType("", kTrickleIceSdpfrag));
  CHECK(!HasMediaType("application/trickle-ice-sdpfragx", kTrickleIceSdpfrag));
}

TEST_CASE(
    "BuildRestartAnswer: ice-lite, our credentials, candidates and end-of-candidates in the client's "
    "section") {
  LocalIdentity identity;
  identity.candidate_ip = "192.0.2.7";
  identity.candidate_port = 10000;
  identity.tcp_candidate = true;
  auto request = sdp::ParseSdpFragment(
      "a=ice-ufrag:ZZy2\r\na=ice-pwd:4ZFlNRdPDsGgtK2qBs1FVtZh\r\na=group:BUNDLE 0 1\r\nm=audio 9 RTP/AVP "
      "0\r\n"
      "a=mid:0\r\n");
  REQUIRE(request.ok());
  std::string body =
      BuildRestartAnswer(*request, "newU", "newpassword0123456789abc", LocalCandidates(identity), "x");
  auto answer = sdp::ParseSdpFragment(body);
  REQUIRE(answer.ok());
  CHECK(answer->ice_lite);
  CHECK(answer->ice_ufrag == "newU");
  CHECK(answer->ice_pwd == "newpassword0123456789abc");
  REQUIRE(answer->groups.size() == 1);
  REQUIRE(answer->media.size() == 1);
  CHECK(answer->media[0].mid == "0");
  CHECK(answer->media[0].end_of_candidates);
  REQUIRE(answer->media[0].candidates.size() == 2);
  CHECK(answer->media[0].candidates[0].transport == "udp");
  CHECK(answer->media[0].candidates[1].transport == "tcp");
  CHECK(answer->media[0].candidates[1].tcp_type == "passive");
  CHECK(answer->media[0].candidates[1].port == 10000);
  CHECK(answer->media[0].candidates[1].priority < answer->media[0].candidates[0].priority);

  // No section in the request: the BUNDLE tag of our answer names it.
  auto bare = sdp::ParseSdpFragment("a=ice-ufrag:ZZy2\r\na=ice-pwd:4ZFlNRdPDsGgtK2qBs1FVtZh\r\n");
  REQUIRE(bare.ok());
  auto from_bare = sdp::ParseSdpFragment(
      BuildRestartAnswer(*bare, "newU", "newpassword0123456789abc", LocalCandidates(identity), "tag"));
  REQUIRE(from_bare.ok());
  REQUIRE(from_bare->media.size() == 1);
  CHECK(from_bare->media[0].mid == "tag");
}

TEST_CASE("LocalCandidates: the TCP candidate only when enabled") {
  LocalIdentity identity;
  identity.candidate_ip = "127.0.0.1";
  identity.candidate_port = 4000;
  CHECK(LocalCandidates(identity).size() == 1);
  identity.tcp_candidate = true;
  auto both = LocalCandidates(identity);
  REQUIRE(both.size() == 2);
  CHECK(sdp::FormatCandidate(both[1]) == "2 1 tcp 2124414975 127.0.0.1 4000 typ host tcptype passive");
}

TEST_CASE("IceServerOptions: Link header values, RFC 9725 §4.6") {
  base::Config config;
  config.Set("ice.servers",
             "stun:stun.example.net:3478, turn:turn.example.net?transport=udp,stuns:[2001:db8::1]", "test");
  config.Set("ice.username", "user", "test");
  config.Set("ice.credential", "secret", "test");
  auto options = IceServerOptions::FromConfig(config);
  auto links = options.LinkHeaders();
  REQUIRE(links.size() == 3);
  CHECK(links[0] == "<stun:stun.example.net:3478>; rel=\"ice-server\"");
  CHECK(
      links[1] ==
      "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; username=\"user\"; credential=\"secret\"; "
      "credential-type=\"password\"");
  CHECK(links[2] == "<stuns:[2001:db8::1]>; rel=\"ice-server\"");
  CHECK(IceServerOptions::FromConfig(base::Config{}).LinkHeaders().empty());
}

TEST_CASE("IceServerOptions: a bad URL or missing TURN credentials stop start-up naming the key") {
  auto error_of = [](const std::string& servers, const std::string& username = "") {
    base::Config config;
    config.Set("ice.servers", servers, "test");
    if (!username.empty()) config.Set("ice.username", username, "test");
    try {
      IceServerOptions::FromConfig(config);
    } catch (const base::ConfigError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  CHECK(error_of("http://stun.example.net").find("'ice.servers'") != std::string::npos);
  CHECK(error_of("stun://stun.example.net").find("no '//'") != std::string::npos);
  CHECK(error_of("stun:").find("no host") != std::string::npos);
  CHECK(error_of("stun:stun.example.net:0").find("port") != std::string::npos);
  CHECK(error_of("stun:stun.example.net:99999").find("port") != std::string::npos);
  CHECK(error_of("stun:stun.example.net?transport=udp").find("only turn") != std::string::npos);
  CHECK(error_of("turn:t.example.net?transport=sctp").find("transport=udp") != std::string::npos);
  CHECK(error_of("stun:bad host").find("bad character") != std::string::npos);
  CHECK(error_of("turn:t.example.net").find("'ice.username'") != std::string::npos);
  CHECK(error_of("stun:stun.example.net", "a\"b").find("'ice.username'") != std::string::npos);
  CHECK(error_of("stun:stun.example.net") == "accepted");
}
