#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/sdp/SdpFragment.hpp"

using namespace cascade::sdp;

namespace {

// RFC 9725 §4.3, "Example of a Trickle ICE request": the PATCH body, LF endings as printed.
const std::string kWhipTrickle =
    "a=ice-ufrag:EsAw\n"
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\n"
    "m=audio 9 RTP/AVP 0\n"
    "a=mid:0\n"
    "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1\n"
    "a=candidate:3471623853 1 udp 2122194687 198.51.100.1 61765 typ host generation 0 ufrag EsAw network-id "
    "2\n"
    "a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw "
    "network-id 1\n"
    "a=candidate:2154773085 1 tcp 1518214911 198.51.100.2 9 typ host tcptype active generation 0 ufrag EsAw "
    "network-id 2\n"
    "a=end-of-candidates\n";

// RFC 9725 §4.3, "Example of an ICE restart request and response": the two bodies.
const std::string kWhipRestartRequest =
    "a=ice-ufrag:ysXw\n"
    "a=ice-pwd:vw5LmwG4y/e6dPP/zAP9Gp5k\n";
const std::string kWhipRestartResponse =
    "a=ice-lite\n"
    "a=ice-ufrag:289b31b754eaa438\n"
    "a=ice-pwd:0b66f472495ef0ccac7bda653ab6be49ea13114472a5d10a\n";

SdpFragment MustParse(const std::string& text) {
  auto result = ParseSdpFragment(text);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? std::string() : result.error().Describe()));
  return std::move(*result);
}

}  // namespace

TEST_CASE("SdpFragment parses the RFC 9725 trickle ICE example") {
  auto f = MustParse(kWhipTrickle);
  CHECK(f.ice_ufrag == "EsAw");
  CHECK(f.ice_pwd == "P2uYro0UCOQ4zxjKXaWCBui1");
  CHECK_FALSE(f.ice_lite);
  REQUIRE(f.media.size() == 1);
  const auto& m = f.media[0];
  CHECK(m.media_line == "audio 9 RTP/AVP 0");
  CHECK(m.mid == "0");
  CHECK_FALSE(m.ice_ufrag);
  // Session-level credentials apply to the section.
  REQUIRE(f.UfragOf(m) != nullptr);
  CHECK(*f.UfragOf(m) == "EsAw");
  CHECK(*f.PwdOf(m) == "P2uYro0UCOQ4zxjKXaWCBui1");
  REQUIRE(m.candidates.size() == 4);
  CHECK(f.CandidateCount() == 4);
  CHECK(m.candidates[0].address == "192.0.2.1");
  CHECK(m.candidates[0].port == 61764);
  CHECK(m.candidates[0].transport == "udp");
  CHECK(*m.candidates[0].Extension("ufrag") == "EsAw");
  CHECK(m.candidates[2].transport == "tcp");
  CHECK(m.candidates[2].tcp_type == "active");
  CHECK(m.candidates[3].address == "198.51.100.2");
  CHECK(m.end_of_candidates);
  CHECK(f.EndOfCandidates(m));
}

TEST_CASE("SdpFragment parses the RFC 9725 ICE restart request and answer") {
  auto request = MustParse(kWhipRestartRequest);
  CHECK(request.ice_ufrag == "ysXw");
  CHECK(request.ice_pwd == "vw5LmwG4y/e6dPP/zAP9Gp5k");
  CHECK(request.media.empty());
  CHECK(request.CandidateCount() == 0);

  auto response = MustParse(kWhipRestartResponse);
  CHECK(response.ice_lite);
  CHECK(response.ice_ufrag == "289b31b754eaa438");
  CHECK(response.ice_pwd == "0b66f472495ef0ccac7bda653ab6be49ea13114472a5d10a");
}

TEST_CASE("SdpFragment serializes the lite agent's ICE restart answer as RFC 9725 shows it") {
  SdpFragment answer;
  answer.ice_lite = true;
  answer.ice_ufrag = "289b31b754eaa438";
  answer.ice_pwd = "0b66f472495ef0ccac7bda653ab6be49ea13114472a5d10a";
  std::string expected = kWhipRestartResponse;
  for (size_t pos = 0; (pos = expected.find('\n', pos)) != std::string::npos; pos += 2)
    expected.insert(pos, "\r");
  CHECK(SerializeSdpFragment(answer) == expected);
}

TEST_CASE("SdpFragment accepts the BUNDLE and SAVPF forms browsers and earlier WHIP drafts send") {
  // Session-level ice-options and group, CRLF endings, two sections with their own
  // credentials, and an m= line without a port (printed so in WHIP drafts before RFC 9725).
  const std::string text =
      "a=ice-options:trickle ice2\r\n"
      "a=group:BUNDLE 0 1\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
      "a=mid:0\r\n"
      "a=ice-ufrag:8hhY\r\n"
      "a=ice-pwd:asd88fgpdd777uzjYhagZg\r\n"
      "a=candidate:1 1 UDP 1658497328 198.51.100.33 5000 typ host\r\n"
      "a=x-vendor:kept\r\n"
      "m=video RTP/AVP 0\r\n"
      "a=mid:1\r\n"
      "a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998\r\n"
      "a=end-of-candidates\r\n";
  auto f = MustParse(text);
  CHECK(f.ice_options == std::vector<std::string>{"trickle", "ice2"});
  REQUIRE(f.groups.size() == 1);
  CHECK(f.groups[0].semantics == "BUNDLE");
  CHECK(f.groups[0].mids == std::vector<std::string>{"0", "1"});
  CHECK_FALSE(f.ice_ufrag);
  REQUIRE(f.media.size() == 2);
  CHECK(*f.UfragOf(f.media[0]) == "8hhY");
  CHECK(f.UfragOf(f.media[1]) == nullptr);
  CHECK(f.media[1].media_line == "video RTP/AVP 0");
  REQUIRE(f.media[0].other_attributes.size() == 1);
  CHECK(f.media[0].other_attributes[0].name == "x-vendor");
  CHECK_FALSE(f.EndOfCandidates(f.media[0]));
  CHECK(f.EndOfCandidates(f.media[1]));
  CHECK(f.media[1].candidates[0].related_port == 8998);
  // This input is already in serializer order, so it comes back byte for byte.
  CHECK(SerializeSdpFragment(f) == text);
}

TEST_CASE("SdpFragment round-trips through the serializer") {
  for (const auto& text : {kWhipTrickle, kWhipRestartRequest, kWhipRestartResponse}) {
    auto f = MustParse(text);
    auto again = MustParse(SerializeSdpFragment(f));
    CHECK(again == f);
  }
  // An empty body (or only blank lines) is a valid fragment with nothing in it.
  auto empty = MustParse("\r\n\n");
  CHECK(empty == SdpFragment{});
  CHECK(SerializeSdpFragment(empty).empty());
}

namespace {
struct BadFragmentCase {
  const char* name;
  std::string body;
  SdpFragmentErrorKind kind;
  uint32_t line;
  const char* message_part;
};
}  // namespace

TEST_CASE("SdpFragment gives a typed error naming the line for malformed input") {
  const std::string m = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  std::vector<BadFragmentCase> cases = {
      {"whole SDP", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n", SdpFragmentErrorKind::kNotFragmentLine, 1,
       "v= does not belong"},
      {"c= line", m + "c=IN IP4 0.0.0.0\r\n", SdpFragmentErrorKind::kNotFragmentLine, 2, "c="},
      {"garbage", "hello\r\n", SdpFragmentErrorKind::kBadLine, 1, "expected <letter>=<value>"},
      {"no name", "a=:x\r\n", SdpFragmentErrorKind::kBadLine, 1, "without an attribute name"},
      {"binary", std::string("a=x\0y\r\n", 7), SdpFragmentErrorKind::kBadLine, 1, "control character"},
      {"long line", "a=x:" + std::string(5000, 'y') + "\r\n", SdpFragmentErrorKind::kLineTooLong, 1, "4096"},
      {"empty m=", "m=\r\n", SdpFragmentErrorKind::kBadMedia, 1, "media type"},
      {"bad candidate", m + "a=mid:0\r\na=candidate:1 1 udp x 192.0.2.1 9 typ host\r\n",
       SdpFragmentErrorKind::kBadAttribute, 3, "priority 'x'"},
      {"tab in candidate", m + "a=candidate:1 1 udp 1 192.0.2.1 9 typ host x\ty z\r\n",
       SdpFragmentErrorKind::kBadAttribute, 2, "tab character"},
      {"short candidate", m + "a=candidate:1 1 udp\r\n", SdpFragmentErrorKind::kBadAttribute, 2, "needs"},
      {"candidate before m=", "a=candidate:1 1 udp 1 192.0.2.1 9 typ host\r\n",
       SdpFragmentErrorKind::kMisplaced, 1, "before any m= line"},
      {"mid before m=", "a=mid:0\r\n", SdpFragmentErrorKind::kMisplaced, 1, "a=mid"},
      {"ice-lite in media", m + "a=ice-lite\r\n", SdpFragmentErrorKind::kMisplaced, 2, "session-level"},
      {"ufrag twice", "a=ice-ufrag:abcd\r\na=ice-ufrag:efgh\r\n", SdpFragmentErrorKind::kDuplicate, 2,
       "a=ice-ufrag given twice"},
      {"pwd twice in media", m + "a=ice-pwd:aaaaaaaaaaaaaaaaaaaaaa\r\na=ice-pwd:bbbbbbbbbbbbbbbbbbbbbb\r\n",
       SdpFragmentErrorKind::kDuplicate, 3, "a=ice-pwd"},
      {"mid in two sections", m + "a=mid:0\r\n" + m + "a=mid:0\r\n", SdpFragmentErrorKind::kDuplicate, 4,
       "names two m= sections"},
      {"ufrag with colon", "a=ice-ufrag:ab:cd\r\n", SdpFragmentErrorKind::kBadAttribute, 1, "RFC 8839"},
      {"empty pwd", "a=ice-pwd:\r\n", SdpFragmentErrorKind::kBadAttribute, 1, "a=ice-pwd"},
      {"ufrag without value", "a=ice-ufrag\r\n", SdpFragmentErrorKind::kBadAttribute, 1, "needs a value"},
      {"end-of-candidates value", m + "a=end-of-candidates:yes\r\n", SdpFragmentErrorKind::kBadAttribute, 2,
       "takes no value"},
      {"empty ice-options", "a=ice-options:\r\n", SdpFragmentErrorKind::kBadAttribute, 1, "at least one"},
      {"mid with space", m + "a=mid:a b\r\n", SdpFragmentErrorKind::kBadAttribute, 2, "one non-empty token"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto result = ParseSdpFragment(c.body);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == c.kind);
    CHECK(result.error().line == c.line);
    CHECK(result.error().Describe().find(c.message_part) != std::string::npos);
    CHECK(std::string(ToString(result.error().kind)) != "unknown");
  }
}

TEST_CASE("SdpFragment enforces its size limits") {
  auto too_large = ParseSdpFragment(std::string(kMaxSdpFragmentSize + 1, 'a'));
  REQUIRE_FALSE(too_large.ok());
  CHECK(too_large.error().kind == SdpFragmentErrorKind::kTooLarge);
  CHECK(too_large.error().line == 0);

  std::string many_sections;
  for (size_t i = 0; i <= kMaxSdpFragmentMediaSections; ++i) many_sections += "m=audio 9 RTP/AVP 0\r\n";
  auto sections = ParseSdpFragment(many_sections);
  REQUIRE_FALSE(sections.ok());
  CHECK(sections.error().kind == SdpFragmentErrorKind::kTooManyMediaSections);

  std::string many_candidates = "m=audio 9 RTP/AVP 0\r\n";
  for (size_t i = 0; i <= kMaxSdpFragmentCandidates; ++i) {
    many_candidates += "a=candidate:1 1 udp 1 192.0.2.1 " + std::to_string(1000 + i) + " typ host\r\n";
  }
  auto candidates = ParseSdpFragment(many_candidates);
  REQUIRE_FALSE(candidates.ok());
  CHECK(candidates.error().kind == SdpFragmentErrorKind::kTooManyCandidates);
  CHECK(candidates.error().line == kMaxSdpFragmentCandidates + 2);
}
