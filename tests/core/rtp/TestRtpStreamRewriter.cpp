#include "core/rtp/RtpStreamRewriter.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "core/rtp/RtpPacketBuilder.hpp"

using namespace cascade::rtp;

namespace {

struct Sent {
  bool forwarded;
  uint32_t ssrc;
  uint16_t seq;
  uint32_t ts;
};

Sent Feed(RtpStreamRewriter& rewriter, uint32_t ssrc, uint16_t seq, uint32_t ts, uint64_t now_us) {
  std::vector<uint8_t> buffer(32);
  const uint8_t payload[] = {1};
  auto size = RtpPacketBuilder(buffer)
                  .SetSsrc(ssrc)
                  .SetSequenceNumber(seq)
                  .SetTimestamp(ts)
                  .SetPayload(payload)
                  .Build();
  buffer.resize(size.value());
  auto p = RtpPacket::Parse(buffer);
  const bool forwarded = rewriter.Rewrite(*p, now_us);
  return {forwarded, p->ssrc(), p->sequence_number(), p->timestamp()};
}

}  // namespace

TEST_CASE("RtpStreamRewriter keeps one continuous stream across a layer switch") {
  RtpStreamRewriter rewriter(0x5555, 90000);
  uint64_t now = 1'000'000;
  // Source A: 5 packets, 30 fps, seq wraps.
  for (int i = 0; i < 5; ++i) {
    auto s = Feed(rewriter, 0xa, static_cast<uint16_t>(65533 + i), 1000u + 3000u * i, now + 33'333u * i);
    CHECK(s.forwarded);
    CHECK(s.ssrc == 0x5555);
    CHECK(s.seq == static_cast<uint16_t>(65533 + i));
    CHECK(s.ts == 1000u + 3000u * i);
  }
  const uint64_t last_a = now + 33'333u * 4;
  // Source B starts 100 ms after A's newest packet, with unrelated bases.
  auto first_b = Feed(rewriter, 0xb, 5000, 777, last_a + 100'000);
  CHECK(first_b.forwarded);
  CHECK(first_b.seq == 2);  // 65537 -> 2: last + 1
  CHECK(first_b.ts == 1000u + 3000u * 4 + 9000u);
  CHECK(rewriter.switches() == 1);
  auto next_b = Feed(rewriter, 0xb, 5001, 777 + 3000, last_a + 133'333);
  CHECK(next_b.seq == 3);
  CHECK(next_b.ts == first_b.ts + 3000);
  // A reordered packet of B from before the switch point would reuse sent numbers.
  auto late = Feed(rewriter, 0xb, 4999, 777 - 3000, last_a + 140'000);
  CHECK_FALSE(late.forwarded);
  CHECK(rewriter.dropped() == 1);
  // A reordered packet after the switch point keeps its place.
  Feed(rewriter, 0xb, 5003, 777 + 9000, last_a + 200'000);
  auto reordered = Feed(rewriter, 0xb, 5002, 777 + 6000, last_a + 201'000);
  CHECK(reordered.forwarded);
  CHECK(reordered.seq == 4);
  CHECK(rewriter.last_sequence_number() == 5);
}

TEST_CASE("RtpStreamRewriter treats a requested switch on the same SSRC as a restart") {
  RtpStreamRewriter rewriter(7, 48000);
  Feed(rewriter, 1, 100, 48000, 0);
  Feed(rewriter, 1, 101, 48960, 20'000);
  rewriter.RequestSwitch();
  auto restarted = Feed(rewriter, 1, 0, 0, 20'000);  // same instant: still one tick later
  CHECK(restarted.forwarded);
  CHECK(restarted.seq == 102);
  CHECK(restarted.ts == 48961);
  auto next = Feed(rewriter, 1, 1, 960, 40'000);
  CHECK(next.seq == 103);
  CHECK(next.ts == 48961 + 960);
}

TEST_CASE("RtpStreamRewriter closes the gap a skipped packet leaves") {
  RtpStreamRewriter rewriter(0xabc, 90000);
  CHECK(Feed(rewriter, 7, 100, 9000, 0).seq == 100);
  CHECK(Feed(rewriter, 7, 101, 9000, 0).seq == 101);
  // 102 and 103 are padding-only probes the edge does not forward.
  for (uint16_t seq : {102, 103}) {
    std::vector<uint8_t> buffer(32);
    auto size = RtpPacketBuilder(buffer).SetSsrc(7).SetSequenceNumber(seq).SetTimestamp(9000).Build();
    buffer.resize(size.value());
    auto probe = RtpPacket::Parse(buffer);
    REQUIRE(probe.ok());
    rewriter.Skip(*probe);
  }
  Sent next = Feed(rewriter, 7, 104, 12000, 33'000);
  CHECK(next.forwarded);
  CHECK(next.seq == 102);  // continuous: no loss for the viewer to report
  CHECK(Feed(rewriter, 7, 105, 12000, 33'000).seq == 103);
  // A skip from another source (or before any packet) changes nothing.
  std::vector<uint8_t> other(32);
  auto size = RtpPacketBuilder(other).SetSsrc(8).SetSequenceNumber(1).Build();
  other.resize(size.value());
  rewriter.Skip(*RtpPacket::Parse(other));
  CHECK(Feed(rewriter, 7, 106, 12000, 33'000).seq == 104);
}

TEST_CASE("RtpStreamRewriter: a probe repaired late fills its hole instead of being skipped") {
  RtpStreamRewriter rewriter(0xabc, 90000);
  CHECK(Feed(rewriter, 7, 100, 9000, 0).seq == 100);
  // 101 (a probe) is lost upstream; 102 goes out numbered around the hole it leaves.
  CHECK(Feed(rewriter, 7, 102, 9000, 1'000).seq == 102);
  std::vector<uint8_t> buffer(32);
  auto size = RtpPacketBuilder(buffer).SetSsrc(7).SetSequenceNumber(101).SetTimestamp(9000).Build();
  buffer.resize(size.value());
  auto probe = RtpPacket::Parse(buffer);
  REQUIRE(probe.ok());
  CHECK_FALSE(rewriter.Skip(*probe));  // the viewer waits for 101: the caller must forward it
  CHECK(Feed(rewriter, 7, 101, 9000, 2'000).seq == 101);
  CHECK(Feed(rewriter, 7, 103, 9000, 3'000).seq == 103);  // numbering unchanged
}

namespace {

std::vector<uint8_t> Build(uint32_t ssrc, uint16_t seq, uint32_t ts, size_t payload_size = 1) {
  std::vector<uint8_t> buffer(64);
  std::vector<uint8_t> payload(payload_size, 1);
  auto size = RtpPacketBuilder(buffer)
                  .SetSsrc(ssrc)
                  .SetSequenceNumber(seq)
                  .SetTimestamp(ts)
                  .SetPayload(payload)
                  .Build();
  buffer.resize(size.value());
  return buffer;
}

}  // namespace

TEST_CASE("RtpStreamRewriter maps output numbers back to source numbers across skips and switches") {
  RtpStreamRewriter rewriter(0x5555, 90000);
  uint64_t now = 1'000'000;
  CHECK_FALSE(rewriter.SourceSequenceFor(0).has_value());
  // Source A from 65530, through the wrap; 65534 and 1 are padding probes the edge skips.
  std::vector<std::pair<uint16_t, uint16_t>> sent;  // (source, out)
  for (uint32_t i = 0; i < 10; ++i) {
    const auto seq = static_cast<uint16_t>(65530 + i);
    auto bytes = Build(0xA, seq, 1000 + i);
    auto p = RtpPacket::Parse(bytes);
    if (seq == 65534 || seq == 1 || seq == 2) {
      rewriter.Skip(*p);
      continue;
    }
    REQUIRE(rewriter.Rewrite(*p, now));
    sent.emplace_back(seq, p->sequence_number());
    now += 1000;
  }
  // Output is gap free, and every output number maps back to its source.
  for (size_t i = 1; i < sent.size(); ++i)
    CHECK(sent[i].second == static_cast<uint16_t>(sent[i - 1].second + 1));
  for (auto [source, out] : sent) {
    CAPTURE(out);
    auto back = rewriter.SourceSequenceFor(out);
    REQUIRE(back.has_value());
    CHECK(*back == source);
  }
  CHECK_FALSE(
      rewriter.SourceSequenceFor(static_cast<uint16_t>(sent.back().second + 1)).has_value());  // not sent yet
  CHECK_FALSE(rewriter.SourceSequenceFor(static_cast<uint16_t>(sent.front().second - 1))
                  .has_value());  // before segment

  // A retransmission of source 65533 gets its first output number, and state does not move.
  auto again = Build(0xA, 65533, 1003);
  auto p = RtpPacket::Parse(again);
  const uint16_t last = rewriter.last_sequence_number();
  REQUIRE(rewriter.RewriteRetransmission(*p));
  CHECK(p->ssrc() == 0x5555);
  CHECK(p->sequence_number() == sent[3].second);
  CHECK(rewriter.last_sequence_number() == last);
  auto future = Build(0xA, 200, 1);
  CHECK_FALSE(rewriter.RewriteRetransmission(*RtpPacket::Parse(future)));
  auto other = Build(0xB, 65533, 1);
  CHECK_FALSE(rewriter.RewriteRetransmission(*RtpPacket::Parse(other)));

  // Late packet from before the skip keeps its original numbering.
  auto late_bytes = Build(0xA, 65533, 1003);
  auto late = RtpPacket::Parse(late_bytes);
  REQUIRE(rewriter.Rewrite(*late, now));
  CHECK(late->sequence_number() == sent[3].second);

  // Switch to source B: old output numbers no longer map (their cache is another stream).
  auto b_bytes = Build(0xB, 500, 7);
  auto b = RtpPacket::Parse(b_bytes);
  REQUIRE(rewriter.Rewrite(*b, now + 1000));
  CHECK(rewriter.source_ssrc() == 0xB);
  CHECK(b->sequence_number() == static_cast<uint16_t>(sent.back().second + 1));
  CHECK(rewriter.SourceSequenceFor(b->sequence_number()) == std::optional<uint16_t>(500));
  CHECK_FALSE(rewriter.SourceSequenceFor(sent.back().second).has_value());
}
