#include "core/rtp/NackResponder.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "core/base/Clock.hpp"

using namespace cascade;
using cascade::rtp::NackResponder;
using cascade::rtp::PacketCache;

namespace {

PacketCache FilledCache(uint16_t first, uint16_t count, uint64_t now_us) {
  PacketCache cache({.capacity = 64, .slot_size = 100, .max_age_us = 1'000'000});
  for (uint16_t i = 0; i < count; ++i) {
    const auto seq = static_cast<uint16_t>(first + i);
    std::vector<uint8_t> bytes(20, static_cast<uint8_t>(seq));
    cache.Insert(seq, bytes, now_us);
  }
  return cache;
}

}  // namespace

TEST_CASE("NackResponder resends cached packets once per RTT") {
  base::ManualClock clock;
  PacketCache cache = FilledCache(65530, 20, clock.NowUs());  // wraps
  NackResponder responder;
  std::vector<uint16_t> resent;
  auto collect = [&](std::span<const uint8_t> packet, uint16_t seq) {
    CHECK(packet[0] == static_cast<uint8_t>(seq));
    resent.push_back(seq);
  };
  const std::vector<uint16_t> nack{65534, 65535, 0, 1, 100};
  CHECK(responder.Respond(nack, cache, 50'000, clock.NowUs(), collect) == 4);
  CHECK(resent == std::vector<uint16_t>{65534, 65535, 0, 1});
  CHECK(responder.counters().not_in_cache == 1);

  clock.AdvanceMs(30);  // within the RTT: the receiver repeats, the first copies may be in flight
  resent.clear();
  CHECK(responder.Respond(nack, cache, 50'000, clock.NowUs(), collect) == 0);
  CHECK(responder.counters().suppressed == 4);

  clock.AdvanceMs(25);  // 55 ms > RTT: the first copies were lost too
  CHECK(responder.Respond(std::vector<uint16_t>{0, 2}, cache, 50'000, clock.NowUs(), collect) == 2);
  CHECK(resent == std::vector<uint16_t>{0, 2});
  CHECK(responder.counters().resent == 6);
  CHECK(responder.counters().nacks == 3);
  CHECK(responder.counters().requested == 12);
}

TEST_CASE("NackResponder decisions: unknown RTT, floor, ring reuse") {
  struct Step {
    uint64_t at_ms;
    uint16_t seq;
    bool in_cache;
    uint64_t rtt_us;
    NackResponder::Decision expect;
  };
  using D = NackResponder::Decision;
  const std::vector<Step> steps{
      {0, 7, true, 0, D::kResend},
      {50, 7, true, 0, D::kSuppressed},  // unknown RTT: default 100 ms
      {101, 7, true, 0, D::kResend},
      {102, 7, true, 1, D::kSuppressed},  // a 1 us RTT is floored to 5 ms
      {107, 7, true, 1, D::kResend},
      {107, 7 + 512, true, 1, D::kResend},    // same ring slot, other number: not suppressed
      {108, 7, true, 1'000'000, D::kResend},  // slot now belongs to 519
      {108, 8, false, 0, D::kNotInCache},
  };
  NackResponder responder;
  for (const auto& step : steps) {
    CAPTURE(step.at_ms);
    CAPTURE(step.seq);
    CHECK(responder.Decide(step.seq, step.in_cache, step.rtt_us, 1'000'000 + step.at_ms * 1000) ==
          step.expect);
  }
  responder.Reset();
  CHECK(responder.Decide(7, true, 1'000'000, 1'108'001) == D::kResend);
}
