#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/codecs/CodecTable.hpp"
#include "media/LinkMessage.hpp"

using namespace cascade;
using namespace cascade::media;

namespace {

base::Result<LinkMessage, LinkMessageError> Parse(const std::string& text) {
  return ParseLinkMessage(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

LinkMessage RoundTrip(const LinkMessage& message) {
  auto parsed = Parse(SerializeLinkMessage(message));
  REQUIRE(parsed.ok());
  return *parsed;
}

// The error of a message expected not to parse (kCount when it parsed).
LinkMessageError ErrorOf(const std::string& text) {
  auto parsed = Parse(text);
  return parsed.ok() ? LinkMessageError::kCount : parsed.error();
}

// A valid announce with `field` replaced by `value` (raw JSON), or removed when value is empty.
std::string Announce(const std::string& field = "", const std::string& value = "") {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"type", "\"announce\""},
      {"room", "\"lobby\""},
      {"ssrc", "1234"},
      {"kind", "\"video\""},
      {"codec", "\"vp8\""},
      {"clock_rate", "90000"},
      {"extensions", "{\"3\":\"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\"}"}};
  std::string out = "{";
  for (const auto& [name, json] : fields) {
    if (name == field && value.empty()) continue;
    if (out.size() > 1) out += ",";
    out += "\"" + name + "\":" + (name == field ? value : json);
  }
  return out + "}";
}

std::string Extensions(const std::string& object) { return Announce("extensions", object); }

}  // namespace

TEST_CASE("LinkMessage announce round trip keeps every field") {
  StreamAnnounce announce;
  announce.room = "lobby";
  announce.ssrc = 0xdeadbeef;
  announce.kind = TrackKind::kVideo;
  announce.codec = codecs::CodecKind::kVp9;
  announce.clock_rate = 90000;
  announce.extensions = {{1, rtp::ExtensionUri::kMid},
                         {3, rtp::ExtensionUri::kAbsSendTime},
                         {200, rtp::ExtensionUri::kDependencyDescriptor}};
  auto back = RoundTrip(announce);
  REQUIRE(std::holds_alternative<StreamAnnounce>(back));
  const auto& got = std::get<StreamAnnounce>(back);
  CHECK(got.room == "lobby");
  CHECK(got.ssrc == 0xdeadbeef);
  CHECK(got.kind == TrackKind::kVideo);
  CHECK(got.codec == codecs::CodecKind::kVp9);
  CHECK(got.clock_rate == 90000);
  // JSON objects come back sorted by key text: "1" < "200" < "3".
  REQUIRE(got.extensions.size() == 3);
  CHECK(got.extensions[0] == std::pair<uint8_t, rtp::ExtensionUri>{1, rtp::ExtensionUri::kMid});
  CHECK(got.extensions[1] ==
        std::pair<uint8_t, rtp::ExtensionUri>{200, rtp::ExtensionUri::kDependencyDescriptor});
  CHECK(got.extensions[2] == std::pair<uint8_t, rtp::ExtensionUri>{3, rtp::ExtensionUri::kAbsSendTime});
}

TEST_CASE("LinkMessage announce round trip for every codec, both kinds and the SSRC extremes") {
  for (size_t i = 0; i < static_cast<size_t>(codecs::CodecKind::kCount); ++i) {
    const auto codec = static_cast<codecs::CodecKind>(i);
    CAPTURE(codecs::ToString(codec));
    for (TrackKind kind : {TrackKind::kAudio, TrackKind::kVideo}) {
      for (uint32_t ssrc : {0u, 1u, 0xffffffffu}) {
        StreamAnnounce announce{"r", ssrc, kind, codec, kind == TrackKind::kAudio ? 48000u : 90000u, {}};
        auto back = RoundTrip(announce);
        REQUIRE(std::holds_alternative<StreamAnnounce>(back));
        const auto& got = std::get<StreamAnnounce>(back);
        CHECK(got.ssrc == ssrc);
        CHECK(got.kind == kind);
        CHECK(got.codec == codec);
        CHECK(got.clock_rate == announce.clock_rate);
        CHECK(got.extensions.empty());
      }
    }
  }
}

TEST_CASE("LinkMessage withdraw round trip") {
  auto back = RoundTrip(StreamWithdraw{"lobby", 0xffffffffu});
  REQUIRE(std::holds_alternative<StreamWithdraw>(back));
  CHECK(std::get<StreamWithdraw>(back).room == "lobby");
  CHECK(std::get<StreamWithdraw>(back).ssrc == 0xffffffffu);
}

TEST_CASE("LinkMessage chat round trip keeps text that needs escaping") {
  const std::string text =
      "h\xc3\xa9llo \xe4\xb8\xad \xf0\x9f\x98\x80 \"quoted\" \\ back\nslash\t\x01 {\"type\":1}";
  auto back = RoundTrip(LinkChat{"lobby", text});
  REQUIRE(std::holds_alternative<LinkChat>(back));
  CHECK(std::get<LinkChat>(back).room == "lobby");
  CHECK(std::get<LinkChat>(back).text == text);
  auto empty = RoundTrip(LinkChat{"lobby", ""});
  REQUIRE(std::holds_alternative<LinkChat>(empty));
  CHECK(std::get<LinkChat>(empty).text.empty());
}

TEST_CASE("LinkMessage parses hand-written JSON with extra fields and whitespace") {
  auto parsed = Parse(
      " { \"extra\": [1, {\"a\": null}], \"text\": \"hi\", \"room\": \"lobby\", \"type\": \"chat\" } \n");
  REQUIRE(parsed.ok());
  REQUIRE(std::holds_alternative<LinkChat>(*parsed));
  CHECK(std::get<LinkChat>(*parsed).text == "hi");
  CHECK(Parse(Announce()).ok());
}

TEST_CASE("LinkMessage rejects messages over 64 KiB before parsing them") {
  // A valid chat padded with whitespace to exactly the limit parses; one byte more does not.
  std::string text = "{\"type\":\"chat\",\"room\":\"lobby\",\"text\":\"x\"}";
  text.resize(kMaxLinkMessageSize, ' ');
  CHECK(Parse(text).ok());
  text.push_back(' ');
  CHECK(ErrorOf(text) == LinkMessageError::kTooLarge);
  CHECK(ErrorOf(std::string(kMaxLinkMessageSize + 1, 'x')) == LinkMessageError::kTooLarge);
}

TEST_CASE("LinkMessage rejects what is not a JSON object") {
  for (const std::string text :
       {"", "not json", "{", "{\"type\":\"chat\",\"room\":\"r\",\"text\":\"cut", "[\"type\",\"chat\"]",
        "\"chat\"", "42", "null", "{} trailing", "{\"type\":\"chat\",}"}) {
    CAPTURE(text);
    CHECK(ErrorOf(text) == LinkMessageError::kNotJson);
  }
  // Invalid UTF-8 inside a JSON string is not JSON.
  CHECK(ErrorOf("{\"type\":\"chat\",\"room\":\"r\",\"text\":\"\xff\xfe\"}") == LinkMessageError::kNotJson);
  CHECK(ErrorOf("{\"type\":\"chat\",\"room\":\"r\",\"text\":\"\\ud800\"}") == LinkMessageError::kNotJson);
}

TEST_CASE("LinkMessage rejects unknown types") {
  CHECK(ErrorOf("{\"type\":\"subscribe\",\"room\":\"r\"}") == LinkMessageError::kUnknownType);
  CHECK(ErrorOf("{\"type\":\"Chat\",\"room\":\"r\",\"text\":\"x\"}") == LinkMessageError::kUnknownType);
  CHECK(ErrorOf("{\"type\":7,\"room\":\"r\",\"text\":\"x\"}") == LinkMessageError::kUnknownType);
  CHECK(ErrorOf("{\"type\":null}") == LinkMessageError::kUnknownType);
}

TEST_CASE("LinkMessage reports a missing field") {
  CHECK(ErrorOf("{}") == LinkMessageError::kMissingField);
  CHECK(ErrorOf("{\"room\":\"r\",\"text\":\"x\"}") == LinkMessageError::kMissingField);
  for (const char* field : {"room", "ssrc", "kind", "codec", "clock_rate", "extensions"}) {
    CAPTURE(field);
    CHECK(ErrorOf(Announce(field)) == LinkMessageError::kMissingField);
  }
  CHECK(ErrorOf("{\"type\":\"withdraw\",\"room\":\"r\"}") == LinkMessageError::kMissingField);
  CHECK(ErrorOf("{\"type\":\"withdraw\",\"ssrc\":1}") == LinkMessageError::kMissingField);
  CHECK(ErrorOf("{\"type\":\"chat\",\"room\":\"r\"}") == LinkMessageError::kMissingField);
  CHECK(ErrorOf("{\"type\":\"chat\",\"text\":\"x\"}") == LinkMessageError::kMissingField);
}

TEST_CASE("LinkMessage rejects bad values") {
  SUBCASE("ssrc") {
    CHECK(Parse(Announce("ssrc", "4294967295")).ok());
    for (const char* value :
         {"4294967296", "18446744073709551615", "-1", "1.5", "1e3", "\"1\"", "null", "true"}) {
      CAPTURE(value);
      CHECK(ErrorOf(Announce("ssrc", value)) == LinkMessageError::kBadValue);
    }
    CHECK(ErrorOf("{\"type\":\"withdraw\",\"room\":\"r\",\"ssrc\":4294967296}") ==
          LinkMessageError::kBadValue);
    CHECK(ErrorOf("{\"type\":\"withdraw\",\"room\":\"r\",\"ssrc\":-5}") == LinkMessageError::kBadValue);
  }
  SUBCASE("kind") {
    for (const char* value : {"\"data\"", "\"Video\"", "\"\"", "1", "null"}) {
      CAPTURE(value);
      CHECK(ErrorOf(Announce("kind", value)) == LinkMessageError::kBadValue);
    }
  }
  SUBCASE("codec") {
    for (const char* value : {"\"theora\"", "\"VP8\"", "\"unknown\"", "\"\"", "1", "[\"vp8\"]"}) {
      CAPTURE(value);
      CHECK(ErrorOf(Announce("codec", value)) == LinkMessageError::kBadValue);
    }
  }
  SUBCASE("clock_rate") {
    CHECK(Parse(Announce("clock_rate", "1")).ok());
    for (const char* value : {"0", "-90000", "4294967296", "90000.5", "\"90000\""}) {
      CAPTURE(value);
      CHECK(ErrorOf(Announce("clock_rate", value)) == LinkMessageError::kBadValue);
    }
  }
  SUBCASE("extension ids and values") {
    const std::string uri = "\"urn:3gpp:video-orientation\"";
    CHECK(Parse(Extensions("{\"1\":" + uri + "}")).ok());
    CHECK(Parse(Extensions("{\"255\":" + uri + "}")).ok());
    for (const std::string key : {"0", "256", "x", "", "1234", "-1", " 1", "1a", "999"}) {
      CAPTURE(key);
      CHECK(ErrorOf(Extensions("{\"" + key + "\":" + uri + "}")) == LinkMessageError::kBadValue);
    }
    CHECK(ErrorOf(Extensions("{\"1\":7}")) == LinkMessageError::kBadValue);
    CHECK(ErrorOf(Extensions("{\"1\":null}")) == LinkMessageError::kBadValue);
    CHECK(ErrorOf(Extensions("[" + uri + "]")) == LinkMessageError::kBadValue);
    CHECK(ErrorOf(Extensions("\"1\"")) == LinkMessageError::kBadValue);
    // At most 16 entries.
    std::string many = "{";
    for (int id = 1; id <= 17; ++id) many += (id > 1 ? ",\"" : "\"") + std::to_string(id) + "\":" + uri;
    CHECK(ErrorOf(Extensions(many + "}")) == LinkMessageError::kBadValue);
  }
  SUBCASE("room") {
    CHECK(Parse(Announce("room", "\"" + std::string(256, 'r') + "\"")).ok());
    for (const std::string& value : {std::string("\"\""), "\"" + std::string(257, 'r') + "\"",
                                     std::string("1"), std::string("null"), std::string("{}")}) {
      CAPTURE(value.size());
      CHECK(ErrorOf(Announce("room", value)) == LinkMessageError::kBadValue);
    }
    CHECK(ErrorOf("{\"type\":\"withdraw\",\"room\":\"\",\"ssrc\":1}") == LinkMessageError::kBadValue);
    CHECK(ErrorOf("{\"type\":\"chat\",\"room\":\"\",\"text\":\"x\"}") == LinkMessageError::kBadValue);
  }
  SUBCASE("chat text") {
    CHECK(ErrorOf("{\"type\":\"chat\",\"room\":\"r\",\"text\":5}") == LinkMessageError::kBadValue);
    CHECK(ErrorOf("{\"type\":\"chat\",\"room\":\"r\",\"text\":null}") == LinkMessageError::kBadValue);
    CHECK(ErrorOf("{\"type\":\"chat\",\"room\":\"r\",\"text\":[\"x\"]}") == LinkMessageError::kBadValue);
  }
}

TEST_CASE("LinkMessage drops extension URIs it does not know and keeps the known ones") {
  auto parsed = Parse(Extensions(
      "{\"1\":\"urn:ietf:params:rtp-hdrext:ssrc-audio-level\",\"2\":\"http://example.com/unknown\","
      "\"3\":\"\",\"14\":\"urn:ietf:params:rtp-hdrext:sdes:mid\"}"));
  REQUIRE(parsed.ok());
  const auto& announce = std::get<StreamAnnounce>(*parsed);
  REQUIRE(announce.extensions.size() == 2);
  CHECK(announce.extensions[0] == std::pair<uint8_t, rtp::ExtensionUri>{1, rtp::ExtensionUri::kAudioLevel});
  CHECK(announce.extensions[1] == std::pair<uint8_t, rtp::ExtensionUri>{14, rtp::ExtensionUri::kMid});
  // Unknown ones are gone from what the node passes on.
  const std::string again = SerializeLinkMessage(announce);
  CHECK(again.find("example.com") == std::string::npos);
  CHECK(again.find("\"2\"") == std::string::npos);
}

TEST_CASE("LinkMessage extension ids have one spelling, so a parsed announce round trips") {
  // "01" and "1" would both be id 1: the announce would name one id twice, and the order of
  // the ids (JSON key order, "02" < "1") would not survive a round trip (the fuzz corpus
  // keeps the input: broken_extension_id_leading_zero.json).
  const std::string mid = "\"urn:ietf:params:rtp-hdrext:sdes:mid\"";
  const std::string orientation = "\"urn:3gpp:video-orientation\"";
  for (const std::string& object :
       {"{\"01\":" + mid + ",\"1\":" + orientation + "}", "{\"02\":" + mid + ",\"1\":" + orientation + "}",
        "{\"001\":" + mid + "}", "{\"00\":" + mid + "}", "{\"010\":" + mid + "}"}) {
    CAPTURE(object);
    CHECK(ErrorOf(Extensions(object)) == LinkMessageError::kBadValue);
  }
  // Canonical ids keep their order through a round trip, whatever their number of digits.
  auto parsed =
      Parse(Extensions("{\"10\":" + mid + ",\"2\":" + orientation + ",\"100\":" + orientation + "}"));
  REQUIRE(parsed.ok());
  const auto& first = std::get<StreamAnnounce>(*parsed);
  REQUIRE(first.extensions.size() == 3);
  CHECK(std::get<StreamAnnounce>(RoundTrip(first)).extensions == first.extensions);
}

TEST_CASE("LinkMessage serializing chat with invalid UTF-8 replaces it instead of throwing") {
  const std::string text = "ok \xff\xfe bad \xc3 cut \xed\xa0\x80 surrogate";
  std::string json;
  CHECK_NOTHROW(json = SerializeLinkMessage(LinkChat{"lobby", text}));
  auto back = Parse(json);
  REQUIRE(back.ok());
  const auto& chat = std::get<LinkChat>(*back);
  CHECK(chat.room == "lobby");
  CHECK(chat.text.rfind("ok ", 0) == 0);
  CHECK(chat.text.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
  CHECK(chat.text.find('\xff') == std::string::npos);
  // A room name with invalid UTF-8 does not throw either.
  CHECK_NOTHROW(json = SerializeLinkMessage(StreamWithdraw{"r\xff", 1}));
  CHECK(Parse(json).ok());
}

TEST_CASE("LinkMessage error names") {
  CHECK(std::string(ToString(LinkMessageError::kTooLarge)) == "too_large");
  CHECK(std::string(ToString(LinkMessageError::kNotJson)) == "not_json");
  CHECK(std::string(ToString(LinkMessageError::kUnknownType)) == "unknown_type");
  CHECK(std::string(ToString(LinkMessageError::kMissingField)) == "missing_field");
  CHECK(std::string(ToString(LinkMessageError::kBadValue)) == "bad_value");
  // Codec names on the wire are the codec table's stable names.
  CHECK(std::string(codecs::ToString(codecs::CodecKind::kOpus)) == "opus");
  CHECK(std::string(codecs::ToString(codecs::CodecKind::kH264)) == "h264");
}

TEST_CASE("LinkMessage: an announce carries the simulcast layer when there is one") {
  StreamAnnounce announce{"lobby", 7, TrackKind::kVideo, codecs::CodecKind::kVp8, 90000, {}, "h"};
  auto parsed = Parse(SerializeLinkMessage(announce));
  REQUIRE(parsed.ok());
  CHECK(std::get<StreamAnnounce>(*parsed).layer == "h");
  announce.layer.clear();
  CHECK(SerializeLinkMessage(announce).find("layer") == std::string::npos);
  auto with_layer = [](const std::string& json) {
    std::string text = Announce();
    return text.substr(0, text.size() - 1) + ",\"layer\":" + json + "}";
  };
  CHECK(ErrorOf(with_layer("\"q\"")) == LinkMessageError::kCount);
  CHECK(ErrorOf(with_layer("7")) == LinkMessageError::kBadValue);
  CHECK(ErrorOf(with_layer("\"" + std::string(65, 'x') + "\"")) == LinkMessageError::kBadValue);
}

TEST_CASE("LinkMessage subscription and states round trip, and bad ones are refused") {
  StreamSubscription subscription{"lobby", {1, 0xffffffffu}};
  auto parsed = Parse(SerializeLinkMessage(subscription));
  REQUIRE(parsed.ok());
  REQUIRE(std::holds_alternative<StreamSubscription>(*parsed));
  CHECK(std::get<StreamSubscription>(*parsed).paused == subscription.paused);

  StreamStates states{"lobby", {{7, 1'500'000, 720, 3, true}, {8, 0, 0, 1, false}}};
  parsed = Parse(SerializeLinkMessage(states));
  REQUIRE(parsed.ok());
  REQUIRE(std::holds_alternative<StreamStates>(*parsed));
  const auto& back = std::get<StreamStates>(*parsed);
  REQUIRE(back.streams.size() == 2);
  CHECK(back.streams[0].bitrate_bps == 1'500'000);
  CHECK(back.streams[0].height == 720);
  CHECK(back.streams[0].live);
  CHECK_FALSE(back.streams[1].live);

  CHECK(Parse(R"({"type":"subscription","room":"lobby","paused":[-1]})").error() ==
        LinkMessageError::kBadValue);
  CHECK(Parse(R"({"type":"subscription","room":"lobby"})").error() == LinkMessageError::kMissingField);
  CHECK(Parse(R"({"type":"states","room":"lobby","streams":[{"ssrc":1}]})").error() ==
        LinkMessageError::kMissingField);
  std::string many = R"({"type":"subscription","room":"lobby","paused":[)";
  for (int i = 0; i < 65; ++i) many += (i ? ",1" : "1");
  CHECK(Parse(many + "]}").error() == LinkMessageError::kBadValue);
}
