#include <doctest/doctest.h>

#include "control/client/ControlCodec.hpp"
#include "core/channel/FrameReader.hpp"
#include "tests/TestData.hpp"

using namespace cascade::control;

TEST_CASE("Control messages survive an encode/decode round trip") {
  NodeHello hello;
  hello.node_id = "edge-eu-1";
  hello.role = NodeRole::kEdge;
  hello.region = "europe-west1";
  hello.media_addresses = {{"127.0.0.1", 10000, "udp"}, {"::1", 10000, "tcp"}};
  hello.http_url = "http://127.0.0.1:8081";
  hello.capacity = {100, 5000, 10'000'000'000ull, 8};
  hello.certificate_fingerprint = "sha-256 AB:CD";
  hello.version = "0.1.0";
  hello.proof = "9f86d081884c7d65";
  hello.ssrc_range_start = 0x10050000;
  auto frame = EncodeControlMessage({42, hello});
  auto decoded = DecodeControlMessage(frame);
  REQUIRE(decoded.ok());
  CHECK(decoded->id == 42);
  auto* got = std::get_if<NodeHello>(&decoded->body);
  REQUIRE(got);
  CHECK(got->node_id == "edge-eu-1");
  CHECK(got->region == "europe-west1");
  REQUIRE(got->media_addresses.size() == 2);
  CHECK(got->media_addresses[1].ip == "::1");
  CHECK(got->media_addresses[1].transport == "tcp");
  CHECK(got->capacity.egress_bps == 10'000'000'000ull);
  CHECK(got->certificate_fingerprint == "sha-256 AB:CD");
  CHECK(got->proof == "9f86d081884c7d65");
  CHECK(got->ssrc_range_start == 0x10050000);

  HelloAck refused{false, "bad_secret: wrong proof", 0, 0, 0, 10000};
  auto ack_decoded = DecodeControlMessage(EncodeControlMessage({42, refused}));
  REQUIRE(ack_decoded.ok());
  auto* got_ack = std::get_if<HelloAck>(&ack_decoded->body);
  REQUIRE(got_ack);
  CHECK_FALSE(got_ack->accepted);
  CHECK(got_ack->reason == "bad_secret: wrong proof");
  CHECK(got_ack->retry_after_ms == 10000);

  Heartbeat beat{7, {3, 120, 12.5f, 5'000'000, 9000, 1 << 20}};
  auto beat_decoded = DecodeControlMessage(EncodeControlMessage({0, beat}));
  REQUIRE(beat_decoded.ok());
  auto* got_beat = std::get_if<Heartbeat>(&beat_decoded->body);
  REQUIRE(got_beat);
  CHECK(got_beat->seq == 7);
  CHECK(got_beat->load.users == 120);
  CHECK(got_beat->load.cpu_percent == doctest::Approx(12.5));

  AttachStream attach{"room/cam", "relay-1", NodeAddress{"127.0.0.1", 10100, "udp"}, "sha-256 00",
                      LinkCredentials{"pUfrag01", "cUfrag02", "password-of-24-characters"}};
  auto attach_decoded = DecodeControlMessage(EncodeControlMessage({9, attach}));
  REQUIRE(attach_decoded.ok());
  CHECK(attach_decoded->id == 9);
  auto* got_attach = std::get_if<AttachStream>(&attach_decoded->body);
  REQUIRE(got_attach);
  CHECK(got_attach->stream_id == "room/cam");
  CHECK(got_attach->parent_node_id == "relay-1");
  REQUIRE(got_attach->parent_address);
  CHECK(got_attach->parent_address->port == 10100);
  CHECK(got_attach->parent_fingerprint == "sha-256 00");
  CHECK(got_attach->link.parent_ufrag == "pUfrag01");
  CHECK(got_attach->link.child_ufrag == "cUfrag02");
  CHECK(got_attach->link.password == "password-of-24-characters");
}

TEST_CASE("Tree commands carry link credentials and the detached child") {
  ServeChild serve{"demo", "edge-2", NodeAddress{"10.0.0.2", 10001, "udp"}, "sha-256 22",
                   LinkCredentials{"Ab3dEf6h", "Zy9xWv8u", "abcdefghijklmnopqrstuvwx"}};
  auto serve_decoded = DecodeControlMessage(EncodeControlMessage({5, serve}));
  REQUIRE(serve_decoded.ok());
  auto* got_serve = std::get_if<ServeChild>(&serve_decoded->body);
  REQUIRE(got_serve);
  CHECK(got_serve->stream_id == "demo");
  CHECK(got_serve->child_node_id == "edge-2");
  REQUIRE(got_serve->child_address);
  CHECK(got_serve->child_address->ip == "10.0.0.2");
  CHECK(got_serve->child_address->port == 10001);
  CHECK(got_serve->child_fingerprint == "sha-256 22");
  CHECK(got_serve->link == serve.link);

  // Without a link (an older control plane) the credentials decode empty.
  ServeChild bare{"demo", "edge-2", std::nullopt, "", {}};
  auto bare_decoded = DecodeControlMessage(EncodeControlMessage({6, bare}));
  REQUIRE(bare_decoded.ok());
  auto* got_bare = std::get_if<ServeChild>(&bare_decoded->body);
  REQUIRE(got_bare);
  CHECK_FALSE(got_bare->child_address);
  CHECK(got_bare->link == LinkCredentials{});

  auto to_parent = DecodeControlMessage(EncodeControlMessage({7, DetachStream{"demo", "edge-2"}}));
  REQUIRE(to_parent.ok());
  auto* got_to_parent = std::get_if<DetachStream>(&to_parent->body);
  REQUIRE(got_to_parent);
  CHECK(got_to_parent->stream_id == "demo");
  CHECK(got_to_parent->child_node_id == "edge-2");

  auto to_child = DecodeControlMessage(EncodeControlMessage({8, DetachStream{"demo", ""}}));
  REQUIRE(to_child.ok());
  auto* got_to_child = std::get_if<DetachStream>(&to_child->body);
  REQUIRE(got_to_child);
  CHECK(got_to_child->stream_id == "demo");
  CHECK(got_to_child->child_node_id.empty());
}

TEST_CASE("The verifier rejects corrupted and truncated control frames") {
  NodeHello hello;
  hello.node_id = "relay-1";
  hello.region = "us-east1";
  auto frame = EncodeControlMessage({1, hello});
  // Truncation.
  for (size_t cut = 0; cut < frame.size(); cut += 3) {
    std::vector<uint8_t> part(frame.begin(), frame.begin() + static_cast<long>(cut));
    CHECK_FALSE(DecodeControlMessage(part).ok());
  }
  // Corrupting the root offset points it outside the buffer.
  auto corrupted = frame;
  corrupted[4] = 0xff;
  corrupted[5] = 0xff;
  auto result = DecodeControlMessage(corrupted);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error() == ControlDecodeError::kUnverifiable);
  // A size prefix that lies about the length.
  auto lying = frame;
  lying[0] = static_cast<uint8_t>(lying[0] + 8);
  CHECK_FALSE(DecodeControlMessage(lying).ok());
}

TEST_CASE("FrameReader splits a stream into frames in any chunking and rejects oversized ones") {
  auto a = EncodeControlMessage({1, Heartbeat{1, {}}});
  auto b = EncodeControlMessage({2, Heartbeat{2, {}}});
  std::vector<uint8_t> stream(a);
  stream.insert(stream.end(), b.begin(), b.end());
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    cascade::channel::FrameReader reader(1024);
    std::vector<uint64_t> ids;
    for (size_t off = 0; off < stream.size(); off += chunk) {
      size_t n = std::min(chunk, stream.size() - off);
      auto err = reader.Feed({stream.data() + off, n}, [&](std::span<const uint8_t> frame) {
        auto msg = DecodeControlMessage(frame);
        REQUIRE(msg.ok());
        ids.push_back(msg->id);
      });
      REQUIRE(err == cascade::channel::FrameError::kNone);
    }
    CHECK(ids == std::vector<uint64_t>{1, 2});
    CHECK(reader.buffered() == 0);
  }
  cascade::channel::FrameReader small(8);
  CHECK(small.Feed(a, [](auto) {}) == cascade::channel::FrameError::kTooLarge);
  const uint8_t zero[4] = {0, 0, 0, 0};
  cascade::channel::FrameReader empty_reader(8);
  CHECK(empty_reader.Feed(zero, [](auto) {}) == cascade::channel::FrameError::kEmpty);
}

TEST_CASE("A union type without its table is rejected, not dereferenced") {
  // Found by FuzzControlFrame: the FlatBuffers verifier passes a union whose type says
  // NodeHello but whose table is missing.
  auto crash =
      cascade::test::ReadBinary("../fuzz/corpus/FuzzControlFrame/regression-union-type-without-body");
  cascade::channel::FrameReader reader(64 * 1024);
  int frames = 0;
  reader.Feed(std::span<const uint8_t>(crash).subspan(1), [&](std::span<const uint8_t> frame) {
    ++frames;
    auto decoded = DecodeControlMessage(frame);
    CHECK_FALSE(decoded.ok());
  });
  CHECK(frames >= 1);
}
