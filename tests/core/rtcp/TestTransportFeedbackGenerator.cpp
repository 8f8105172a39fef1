#include "core/rtcp/TransportFeedbackGenerator.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <vector>

#include "core/rtcp/TransportCc.hpp"
#include "core/rtcp/TransportCcDecoder.hpp"
#include "tests/core/rtcp/RtcpTestUtil.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;

namespace {

struct Decoded {
  uint16_t base_seq = 0;
  uint8_t feedback_count = 0;
  uint32_t sender_ssrc = 0;
  std::vector<TccPacketResult> results;
};

// Builds one feedback and decodes it with the real decoder.
Decoded BuildAndDecode(TransportFeedbackGenerator& generator, int64_t now_us, size_t capacity = 1500) {
  std::vector<uint8_t> out(capacity);
  ByteWriter writer(out);
  const size_t size = generator.Build(0x11111111, 0x22222222, now_us, writer);
  REQUIRE(size > 0);
  REQUIRE(size % 4 == 0);
  out.resize(size);
  REQUIRE(CompoundReader::Validate(out).ok());
  RtcpPacket packet;
  REQUIRE(test::FirstPacket(out, packet));
  REQUIRE(packet.Kind() == PacketKind::kTransportCc);
  auto tcc = TransportCc::Parse(packet);
  REQUIRE(tcc.ok());
  TransportCcDecoder decoder;
  REQUIRE(decoder.Decode(*tcc).ok());
  Decoded decoded;
  decoded.base_seq = tcc->base_seq();
  decoded.feedback_count = tcc->feedback_count();
  decoded.sender_ssrc = tcc->sender_ssrc();
  decoded.results.assign(decoder.results().begin(), decoder.results().end());
  return decoded;
}

// Arrival times come back relative to the 64 ms reference, rounded to 250 us ticks.
void CheckArrival(const TccPacketResult& result, int64_t truth_us) {
  CAPTURE(result.seq);
  CHECK(result.received);
  CHECK(std::llabs(result.arrival_us - truth_us) <= 125);
}

}  // namespace

TEST_CASE("TransportFeedbackGenerator reports what arrived and the gaps as lost") {
  TransportFeedbackGenerator generator;
  const int64_t t0 = 10'000'000;
  // 100..109 except 103 and 107; packets of two SSRCs share the sequence, so the
  // generator never sees an SSRC.
  std::map<uint16_t, int64_t> sent;
  for (uint16_t seq = 100; seq < 110; ++seq) {
    if (seq == 103 || seq == 107) continue;
    sent[seq] = t0 + (seq - 100) * 1'000;
    generator.OnPacket(seq, sent[seq]);
  }
  CHECK(generator.pending() == 8);
  CHECK_FALSE(generator.Due(t0 + 20'000));
  CHECK(generator.Due(t0 + 50'000));
  const Decoded fb = BuildAndDecode(generator, t0 + 50'000);
  CHECK(fb.base_seq == 100);
  CHECK(fb.feedback_count == 0);
  CHECK(fb.sender_ssrc == 0x11111111);
  REQUIRE(fb.results.size() == 10);
  for (const auto& r : fb.results) {
    if (r.seq == 103 || r.seq == 107) {
      CHECK_FALSE(r.received);
    } else {
      CheckArrival(r, sent[r.seq]);
    }
  }
  CHECK(generator.pending() == 0);
  CHECK_FALSE(generator.Due(t0 + 500'000));
  std::vector<uint8_t> unused(1500);
  ByteWriter empty_writer(unused);
  CHECK(generator.Build(1, 2, t0 + 500'000, empty_writer) == 0);

  // The next feedback continues where this one ended: 110 lost, 111 received.
  generator.OnPacket(111, t0 + 60'000);
  const Decoded next = BuildAndDecode(generator, t0 + 110'000);
  CHECK(next.feedback_count == 1);
  CHECK(next.base_seq == 110);
  REQUIRE(next.results.size() == 2);
  CHECK_FALSE(next.results[0].received);
  CheckArrival(next.results[1], t0 + 60'000);
}

TEST_CASE("TransportFeedbackGenerator is due at once when 100 packets are pending") {
  TransportFeedbackGenerator generator;
  for (uint16_t i = 0; i < 99; ++i) generator.OnPacket(i, 1'000 + i * 10);
  CHECK_FALSE(generator.Due(2'000));
  generator.OnPacket(99, 2'000);
  CHECK(generator.Due(2'000));
  const Decoded fb = BuildAndDecode(generator, 2'000);
  CHECK(fb.results.size() == 100);
}

TEST_CASE("TransportFeedbackGenerator follows the sequence across its wrap") {
  TransportFeedbackGenerator generator;
  std::vector<std::pair<uint16_t, int64_t>> sent;
  int64_t t = 5'000'000;
  for (uint16_t seq = 65530; seq != 6; ++seq) {
    if (seq == 65535) continue;  // lost right before the wrap
    t += 700;
    sent.emplace_back(seq, t);
    generator.OnPacket(seq, t);
  }
  const Decoded fb = BuildAndDecode(generator, t + 50'000);
  CHECK(fb.base_seq == 65530);
  REQUIRE(fb.results.size() == 12);
  size_t k = 0;
  for (const auto& r : fb.results) {
    if (r.seq == 65535) {
      CHECK_FALSE(r.received);
      continue;
    }
    REQUIRE(k < sent.size());
    CHECK(r.seq == sent[k].first);
    CheckArrival(r, sent[k].second);
    ++k;
  }
  CHECK(k == sent.size());
  // The feedback count wraps too.
  for (int i = 1; i < 256; ++i) {
    generator.OnPacket(static_cast<uint16_t>(6 + i), t + i * 60'000);
    std::vector<uint8_t> out(1500);
    ByteWriter writer(out);
    REQUIRE(generator.Build(1, 2, t + i * 60'000 + 50'000, writer) > 0);
  }
  CHECK(generator.feedback_count() == 0);
}

TEST_CASE("TransportFeedbackGenerator reports reordered packets in sequence order") {
  TransportFeedbackGenerator generator;
  // 3 arrives before 2 (a negative delta for 3 relative to 2 in sequence order).
  generator.OnPacket(1, 1'000'000);
  generator.OnPacket(3, 1'001'000);
  generator.OnPacket(2, 1'003'000);
  generator.OnPacket(2, 1'004'000);  // a duplicate is not recorded twice
  CHECK(generator.counters().duplicates == 1);
  const Decoded fb = BuildAndDecode(generator, 1'100'000);
  REQUIRE(fb.results.size() == 3);
  CheckArrival(fb.results[0], 1'000'000);
  CheckArrival(fb.results[1], 1'003'000);
  CheckArrival(fb.results[2], 1'001'000);
}

TEST_CASE("TransportFeedbackGenerator re-reports a packet that arrived after it was reported lost") {
  TransportFeedbackGenerator generator;
  generator.OnPacket(10, 1'000'000);
  generator.OnPacket(12, 1'002'000);
  Decoded first = BuildAndDecode(generator, 1'050'000);
  REQUIRE(first.results.size() == 3);
  CHECK_FALSE(first.results[1].received);  // 11 not yet here
  generator.OnPacket(11, 1'060'000);
  generator.OnPacket(13, 1'061'000);
  CHECK(generator.pending() == 3);  // 11, and 12 again because the feedback restarts at 11
  const Decoded second = BuildAndDecode(generator, 1'110'000);
  CHECK(second.base_seq == 11);
  REQUIRE(second.results.size() == 3);
  CheckArrival(second.results[0], 1'060'000);
  CheckArrival(second.results[1], 1'002'000);
  CheckArrival(second.results[2], 1'061'000);
}

TEST_CASE("TransportFeedbackGenerator splits what one packet cannot carry") {
  TransportFeedbackGenerator::Config config;
  config.max_packet_size = 64;
  config.max_pending = 1000;
  TransportFeedbackGenerator generator(config);
  // Alternating losses and large deltas keep chunks short and deltas two bytes each.
  for (uint16_t i = 0; i < 60; ++i) generator.OnPacket(static_cast<uint16_t>(i * 2), 1'000'000 + i * 70'000);
  size_t received = 0;
  uint16_t expected_base = 0;
  int feedbacks = 0;
  while (generator.Due(10'000'000)) {
    const Decoded fb = BuildAndDecode(generator, 10'000'000, 64);
    CHECK(fb.base_seq == expected_base);
    for (const auto& r : fb.results) {
      if (!r.received) continue;
      CheckArrival(r, 1'000'000 + (r.seq / 2) * 70'000);
      ++received;
    }
    expected_base = static_cast<uint16_t>(fb.results.back().seq + 1);
    ++feedbacks;
    REQUIRE(feedbacks < 100);
  }
  CHECK(feedbacks > 1);
  CHECK(received == 60);
}

TEST_CASE("TransportFeedbackGenerator forgets a stale straggler but follows a restarted sender") {
  TransportFeedbackGenerator generator;
  for (uint16_t seq = 5000; seq < 5010; ++seq) generator.OnPacket(seq, 1'000'000 + seq);
  generator.OnPacket(1000, 1'020'000);  // far behind the window: ignored
  CHECK(generator.counters().too_old == 1);
  CHECK(generator.pending() == 10);
  (void)BuildAndDecode(generator, 1'100'000);
  // The sender restarted at 200: after a short run it is followed.
  for (uint16_t seq = 200; seq < 220; ++seq) generator.OnPacket(seq, 2'000'000 + seq * 100);
  CHECK(generator.counters().restarts == 1);
  const Decoded fb = BuildAndDecode(generator, 2'200'000);
  CHECK(fb.results.back().seq == 219);
  CHECK(fb.results.back().received);
}
