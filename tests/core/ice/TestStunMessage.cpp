#include <doctest/doctest.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/base/Bytes.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunIntegrity.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/ice/StunMessageBuilder.hpp"
#include "tests/TestData.hpp"
#include "tests/core/ice/PcapReader.hpp"

using namespace cascade::ice;
using cascade::test::ReadBinary;
using cascade::test::ReadText;

namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

constexpr std::array<uint8_t, 12> kTid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// Raw message: header + TLVs given as (type, value) written by the builder without any checks,
// so negative cases can be produced from well-formed pieces.
std::vector<uint8_t> RawMessage(std::initializer_list<std::pair<uint16_t, std::vector<uint8_t>>> attrs,
                                StunClass klass = StunClass::kRequest) {
  std::vector<uint8_t> buf(1024);
  StunMessageBuilder b(buf, klass, stun_method::kBinding, kTid);
  for (const auto& [type, value] : attrs) b.AddAttribute(type, value);
  auto out = b.Finish();
  REQUIRE(out.ok());
  return {out->begin(), out->end()};
}

}  // namespace

TEST_CASE("StunMessage verifies and decodes the RFC 5769 short-term vectors") {
  const auto expected = nlohmann::json::parse(ReadText("stun/expected.json"));
  struct Case {
    const char* file;
    StunClass klass;
  };
  const Case cases[] = {
      {"rfc5769_2.1_sample_request.bin", StunClass::kRequest},
      {"rfc5769_2.2_sample_ipv4_response.bin", StunClass::kSuccessResponse},
      {"rfc5769_2.3_sample_ipv6_response.bin", StunClass::kSuccessResponse},
  };
  for (const auto& c : cases) {
    CAPTURE(c.file);
    const auto& want = expected.at(c.file);
    const auto bytes = ReadBinary(std::string("stun/") + c.file);
    auto msg = StunMessage::Parse(bytes);
    REQUIRE(msg.ok());
    CHECK(msg->message_class() == c.klass);
    CHECK(msg->method() == stun_method::kBinding);
    CHECK(msg->software() == want.at("software").get<std::string>());
    CHECK(msg->unknown_comprehension_required().empty());
    CHECK(msg->has_fingerprint() == want.at("has_fingerprint").get<bool>());
    CHECK(msg->VerifyFingerprint().ok());
    const std::string password = want.at("short_term_password");
    CHECK(msg->VerifyMessageIntegrity(StunIntegrity::ShortTermKey(password)).ok());
    CHECK(msg->VerifyIntegrity(StunIntegrity::ShortTermKey(password)).ok());
    CHECK(msg->VerifyMessageIntegrity(StunIntegrity::ShortTermKey("wrong")).error() ==
          StunError::kIntegrityMismatch);
    if (want.contains("username")) {
      CHECK(msg->username() == want.at("username").get<std::string>());
      CHECK(msg->priority() == std::stoul(want.at("priority").get<std::string>(), nullptr, 16));
      CHECK(msg->ice_controlled() ==
            std::stoull(want.at("ice_controlled_tiebreaker").get<std::string>(), nullptr, 16));
      CHECK_FALSE(msg->ice_controlling().has_value());
      CHECK_FALSE(msg->use_candidate());
    }
    if (want.contains("xor_mapped_address")) {
      const auto addr = msg->xor_mapped_address();
      REQUIRE(addr.has_value());
      CHECK(addr->ToString() == want.at("xor_mapped_address").get<std::string>());
      CHECK(*addr == TransportAddress::Parse(want.at("xor_mapped_address").get<std::string>()).value());
    }
  }
}

TEST_CASE("StunMessage verifies the RFC 5769 long-term-credential vector") {
  const auto want =
      nlohmann::json::parse(ReadText("stun/expected.json")).at("rfc5769_2.4_sample_request_long_term.bin");
  const auto bytes = ReadBinary("stun/rfc5769_2.4_sample_request_long_term.bin");
  auto msg = StunMessage::Parse(bytes);
  REQUIRE(msg.ok());
  const std::string username = want.at("username_utf8");
  const std::string realm = want.at("realm");
  CHECK(msg->username() == username);
  CHECK(msg->realm() == realm);
  CHECK(msg->nonce() == want.at("nonce").get<std::string>());
  CHECK_FALSE(msg->has_fingerprint());
  CHECK(msg->VerifyFingerprint().error() == StunError::kFingerprintMissing);
  const auto key =
      StunIntegrity::LongTermKey(username, realm, want.at("password_after_saslprep").get<std::string>());
  CHECK(msg->VerifyMessageIntegrity(key).ok());
  const auto wrong = StunIntegrity::LongTermKey(username, realm, "thematrix");
  CHECK(msg->VerifyMessageIntegrity(wrong).error() == StunError::kIntegrityMismatch);
}

TEST_CASE("StunMessage: a one-bit flip anywhere before MESSAGE-INTEGRITY fails integrity or parsing") {
  const auto bytes = ReadBinary("stun/rfc5769_2.1_sample_request.bin");
  const auto key = StunIntegrity::ShortTermKey("VOkJxbRl1RmTxUk/WvJxBt");
  const auto original = StunMessage::Parse(bytes);
  REQUIRE(original.ok());
  // Every bit of the message except MESSAGE-INTEGRITY's own value and FINGERPRINT.
  const size_t mi_end = bytes.size() - 8;
  size_t checked = 0;
  for (size_t byte = 0; byte < mi_end; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto copy = bytes;
      copy[byte] ^= static_cast<uint8_t>(1u << bit);
      auto msg = StunMessage::Parse(copy);
      if (!msg.ok()) continue;  // header/TLV damage is caught by the parser instead
      const bool integrity_ok = msg->VerifyMessageIntegrity(key).ok();
      const bool fingerprint_ok = msg->has_fingerprint() && msg->VerifyFingerprint().ok();
      CAPTURE(byte);
      CAPTURE(bit);
      CHECK_FALSE(integrity_ok);
      CHECK_FALSE(fingerprint_ok);
      ++checked;
    }
  }
  CHECK(checked > 600);
}

TEST_CASE("StunMessage parses every STUN packet of a real Chrome ICE exchange") {
  const auto packets = cascade::test::ReadPcapUdp(ReadBinary("stun/zeek_webrtc-stun.pcap"));
  REQUIRE(packets.size() == 14);
  size_t requests = 0, responses = 0, dtls = 0;
  for (const auto& pkt : packets) {
    const PacketKind kind = PacketDemux::Classify(pkt.payload);
    if (kind == PacketKind::kDtls) {
      ++dtls;
      CHECK_FALSE(StunMessage::Parse(pkt.payload).ok());
      continue;
    }
    REQUIRE(kind == PacketKind::kStun);
    auto msg = StunMessage::Parse(pkt.payload);
    REQUIRE(msg.ok());
    CHECK(msg->method() == stun_method::kBinding);
    CHECK(msg->VerifyFingerprint().ok());
    CHECK(msg->has_message_integrity());
    CHECK(msg->unknown_comprehension_required().empty());
    if (msg->message_class() == StunClass::kRequest) {
      ++requests;
      REQUIRE(msg->username().has_value());
      CHECK(msg->username()->find(':') != std::string_view::npos);
      CHECK(msg->priority().has_value());
      CHECK(msg->ice_controlling().has_value() != msg->ice_controlled().has_value());
    } else {
      REQUIRE(msg->message_class() == StunClass::kSuccessResponse);
      ++responses;
      const auto mapped = msg->xor_mapped_address();
      REQUIRE(mapped.has_value());
      if (pkt.src_port == 51462) {
        // The browser answers the server's checks: the mapped address is where they came from.
        CHECK(mapped->port() == pkt.dst_port);
        CHECK(
            std::equal(mapped->bytes().begin(), mapped->bytes().end(), pkt.dst_ip.begin(), pkt.dst_ip.end()));
      } else {
        // The server answers the browser, which sits behind a NAT: its public address.
        CHECK(mapped->ToString() == "192.150.187.238:31288");
      }
    }
  }
  CHECK(requests == 5);
  CHECK(responses == 5);
  CHECK(dtls == 4);
}

TEST_CASE("StunMessage rejects each kind of malformed message") {
  const auto good = RawMessage({{stun_attr::kSoftware, {'a', 'b', 'c'}}});
  auto with = [&](auto mutate) {
    auto copy = good;
    mutate(copy);
    return copy;
  };
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    StunError error;
  };
  const std::vector<Case> cases = {
      {"19 bytes", std::vector<uint8_t>(good.begin(), good.begin() + 19), StunError::kTooShort},
      {"empty", {}, StunError::kTooShort},
      {"top bits set", with([](auto& m) { m[0] |= 0x40; }), StunError::kNotStun},
      {"RTP-looking first byte", with([](auto& m) { m[0] = 0x80; }), StunError::kNotStun},
      {"bad cookie", with([](auto& m) { m[7] ^= 1; }), StunError::kBadMagicCookie},
      {"length not multiple of 4", with([](auto& m) {
         m[3] = 6;
         m.resize(26);
       }),
       StunError::kUnalignedLength},
      {"trailing bytes", with([](auto& m) { m.insert(m.end(), 4, 0); }), StunError::kLengthMismatch},
      {"truncated datagram", with([](auto& m) { m.resize(m.size() - 4); }), StunError::kLengthMismatch},
      {"attribute overruns", with([](auto& m) {
         m[22] = 0;
         m[23] = 9;
       }),
       StunError::kAttributeOverrun},
      {"attribute length 0xFFFF", with([](auto& m) {
         m[22] = 0xFF;
         m[23] = 0xFF;
       }),
       StunError::kAttributeOverrun},
      {"PRIORITY of 3 bytes", RawMessage({{stun_attr::kPriority, {1, 2, 3}}}),
       StunError::kBadAttributeLength},
      {"ICE-CONTROLLING of 4 bytes", RawMessage({{stun_attr::kIceControlling, {1, 2, 3, 4}}}),
       StunError::kBadAttributeLength},
      {"USE-CANDIDATE with a value", RawMessage({{stun_attr::kUseCandidate, {1}}}),
       StunError::kBadAttributeLength},
      {"MESSAGE-INTEGRITY of 16 bytes",
       RawMessage({{stun_attr::kMessageIntegrity, std::vector<uint8_t>(16)}}),
       StunError::kBadAttributeLength},
      {"MESSAGE-INTEGRITY-SHA256 of 12 bytes",
       RawMessage({{stun_attr::kMessageIntegritySha256, std::vector<uint8_t>(12)}}),
       StunError::kBadAttributeLength},
      {"MESSAGE-INTEGRITY-SHA256 of 18 bytes",
       RawMessage({{stun_attr::kMessageIntegritySha256, std::vector<uint8_t>(18)}}),
       StunError::kBadAttributeLength},
      {"FINGERPRINT of 8 bytes", RawMessage({{stun_attr::kFingerprint, std::vector<uint8_t>(8)}}),
       StunError::kBadAttributeLength},
      {"XOR-MAPPED-ADDRESS family 3", RawMessage({{stun_attr::kXorMappedAddress, {0, 3, 0, 1, 1, 2, 3, 4}}}),
       StunError::kBadAddressFamily},
      {"XOR-MAPPED-ADDRESS IPv4 with 16 bytes",
       RawMessage({{stun_attr::kXorMappedAddress, std::vector<uint8_t>{0, 1, 0,  1,  1,  2,  3,  4,  5, 6, 7,
                                                                       8, 9, 10, 11, 12, 13, 14, 15, 16}}}),
       StunError::kBadAttributeLength},
      {"MAPPED-ADDRESS of 2 bytes", RawMessage({{stun_attr::kMappedAddress, {0, 1}}}),
       StunError::kBadAttributeLength},
      {"ERROR-CODE class 7", RawMessage({{stun_attr::kErrorCode, {0, 0, 7, 0}}}, StunClass::kErrorResponse),
       StunError::kBadErrorCode},
      {"ERROR-CODE number 100",
       RawMessage({{stun_attr::kErrorCode, {0, 0, 4, 100}}}, StunClass::kErrorResponse),
       StunError::kBadErrorCode},
      {"ERROR-CODE of 3 bytes", RawMessage({{stun_attr::kErrorCode, {0, 0, 4}}}, StunClass::kErrorResponse),
       StunError::kBadAttributeLength},
      {"UNKNOWN-ATTRIBUTES of odd length", RawMessage({{stun_attr::kUnknownAttributes, {0, 1, 0}}}),
       StunError::kBadAttributeLength},
      {"attribute after FINGERPRINT",
       RawMessage({{stun_attr::kFingerprint, {0, 0, 0, 0}}, {stun_attr::kSoftware, {'x'}}}),
       StunError::kFingerprintNotLast},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto msg = StunMessage::Parse(c.bytes);
    REQUIRE_FALSE(msg.ok());
    CHECK(msg.error() == c.error);
    CHECK(std::string(ToString(c.error)) != "unknown");
  }
}

TEST_CASE("StunMessage verification errors: missing and mismatched FINGERPRINT and integrity") {
  std::vector<uint8_t> buf(256);
  StunMessageBuilder b(buf, StunClass::kRequest, stun_method::kBinding, kTid);
  b.AddUsername("a:b").AddFingerprint();
  auto bytes = std::vector<uint8_t>(b.Finish()->begin(), b.Finish()->end());
  auto msg = StunMessage::Parse(bytes);
  REQUIRE(msg.ok());
  CHECK(msg->VerifyFingerprint().ok());
  CHECK(msg->VerifyIntegrity(AsBytes("k")).error() == StunError::kIntegrityMissing);
  CHECK(msg->VerifyMessageIntegritySha256(AsBytes("k")).error() == StunError::kIntegrityMissing);
  bytes[24] ^= 0x20;  // 'a' -> 'A' in USERNAME
  auto flipped = StunMessage::Parse(bytes);
  REQUIRE(flipped.ok());
  CHECK(flipped->username() == "A:b");
  CHECK(flipped->VerifyFingerprint().error() == StunError::kFingerprintMismatch);
}

TEST_CASE("StunMessage ignores attributes after MESSAGE-INTEGRITY except FINGERPRINT") {
  std::vector<uint8_t> buf(256);
  const auto key = AsBytes("secret");
  StunMessageBuilder b(buf, StunClass::kRequest, stun_method::kBinding, kTid);
  b.AddUsername("first").AddMessageIntegrity(key).AddPriority(7).AddUsername("second");
  b.AddAttribute(0x7777, std::vector<uint8_t>{1});  // unknown comprehension-required, but ignored
  b.AddFingerprint();
  auto out = b.Finish();
  REQUIRE(out.ok());
  auto msg = StunMessage::Parse(*out);
  REQUIRE(msg.ok());
  CHECK(msg->username() == "first");
  CHECK_FALSE(msg->priority().has_value());
  CHECK_FALSE(msg->Has(0x7777));
  CHECK(msg->unknown_comprehension_required().empty());
  CHECK(msg->VerifyMessageIntegrity(key).ok());
  CHECK(msg->VerifyFingerprint().ok());
  // The raw iterator still sees every TLV in wire order.
  std::vector<uint16_t> types;
  for (const StunAttribute attr : msg->attributes()) types.push_back(attr.type);
  CHECK(types == std::vector<uint16_t>{stun_attr::kUsername, stun_attr::kMessageIntegrity,
                                       stun_attr::kPriority, stun_attr::kUsername, 0x7777,
                                       stun_attr::kFingerprint});
}

TEST_CASE("StunMessage reports unknown comprehension-required attributes, not optional ones") {
  const auto bytes = RawMessage({{0x0003, {0, 0, 0, 4}},  // CHANGE-REQUEST (RFC 5780): not understood
                                 {0xC001, {9}},           // comprehension-optional: silently ignored
                                 {0x7FFF, {}},            // zero-length unknown
                                 {0x0003, {0, 0, 0, 0}},  // repeated: listed again, caller dedups or not
                                 {stun_attr::kUsername, {}}});
  auto msg = StunMessage::Parse(bytes);
  REQUIRE(msg.ok());
  const auto unknown = msg->unknown_comprehension_required().span();
  CHECK(std::vector<uint16_t>(unknown.begin(), unknown.end()) ==
        std::vector<uint16_t>{0x0003, 0x7FFF, 0x0003});
  CHECK(msg->Find(0xC001).has_value());
  CHECK(msg->Find(0xC001)->size() == 1);
  CHECK(msg->Find(0x7FFF)->empty());
  CHECK(msg->username() == "");  // zero-length attribute present with an empty value
}

TEST_CASE("StunMessage keeps only the first occurrence of a known attribute") {
  const auto bytes = RawMessage({{stun_attr::kPriority, {0, 0, 0, 1}}, {stun_attr::kPriority, {0, 0, 0, 2}}});
  auto msg = StunMessage::Parse(bytes);
  REQUIRE(msg.ok());
  CHECK(msg->priority() == 1u);
}

TEST_CASE("StunMessage caps the unknown-attribute list and flags truncation") {
  std::vector<uint8_t> buf(1024);
  StunMessageBuilder b(buf, StunClass::kRequest, stun_method::kBinding, kTid);
  for (uint16_t t = 0x4000; t < 0x4000 + 20; ++t) b.AddAttribute(t, {});
  auto msg = StunMessage::Parse(*b.Finish());
  REQUIRE(msg.ok());
  CHECK(msg->unknown_comprehension_required().count == StunAttributeTypeList::kMax);
  CHECK(msg->unknown_comprehension_required().truncated);
}

TEST_CASE("StunMessage verifies MESSAGE-INTEGRITY-SHA256 at every truncation") {
  const auto key = AsBytes("VOkJxbRl1RmTxUk/WvJxBt");
  for (size_t length = 16; length <= 32; length += 4) {
    CAPTURE(length);
    std::vector<uint8_t> buf(256);
    StunMessageBuilder b(buf, StunClass::kRequest, stun_method::kBinding, kTid);
    b.AddUsername("u:v").AddMessageIntegrity(key).AddMessageIntegritySha256(key, length).AddFingerprint();
    auto out = b.Finish();
    REQUIRE(out.ok());
    auto msg = StunMessage::Parse(*out);
    REQUIRE(msg.ok());
    CHECK(msg->Find(stun_attr::kMessageIntegritySha256)->size() == length);
    CHECK(msg->VerifyMessageIntegritySha256(key).ok());
    CHECK(msg->VerifyMessageIntegrity(key).ok());
    CHECK(msg->VerifyIntegrity(key).ok());
    CHECK(msg->VerifyMessageIntegritySha256(AsBytes("x")).error() == StunError::kIntegrityMismatch);
    CHECK(msg->VerifyFingerprint().ok());
  }
}

TEST_CASE("StunMessage decodes message class and method bits") {
  struct Case {
    uint16_t type;
    StunClass klass;
    uint16_t method;
  };
  const Case cases[] = {
      {0x0001, StunClass::kRequest, 0x001},         {0x0011, StunClass::kIndication, 0x001},
      {0x0101, StunClass::kSuccessResponse, 0x001}, {0x0111, StunClass::kErrorResponse, 0x001},
      {0x0003, StunClass::kRequest, 0x003},         {0x3EEF, StunClass::kRequest, 0xFFF},
      {0x3FFF, StunClass::kErrorResponse, 0xFFF},
  };
  for (const auto& c : cases) {
    auto bytes = RawMessage({});
    cascade::base::StoreBe16(bytes.data(), c.type);
    auto msg = StunMessage::Parse(bytes);
    REQUIRE(msg.ok());
    CAPTURE(c.type);
    CHECK(msg->message_class() == c.klass);
    CHECK(msg->method() == c.method);
    // The builder encodes the same bits back.
    std::array<uint8_t, 20> out{};
    StunMessageBuilder b(out, c.klass, c.method, kTid);
    CHECK(cascade::base::LoadBe16(b.Finish()->data()) == c.type);
  }
}
