#include "core/rtp/NackGenerator.hpp"

#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "core/base/Clock.hpp"

using namespace cascade;
using cascade::rtp::NackGenerator;

namespace {

std::vector<uint16_t> Collect(NackGenerator& generator, const base::ManualClock& clock, uint64_t rtt_us = 0) {
  std::array<uint16_t, 64> out{};
  const size_t n = generator.Collect(clock.NowUs(), rtt_us, out);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace

TEST_CASE("NackGenerator requests a gap at once, across the wrap") {
  base::ManualClock clock;
  NackGenerator generator;
  for (uint16_t seq : {65532, 65533, 65534, 1, 2}) generator.OnPacket(seq, clock.NowUs());
  CHECK(generator.missing_count() == 2);  // 65535 and 0
  CHECK(generator.IsMissing(65535));
  CHECK(generator.IsMissing(0));
  CHECK_FALSE(generator.IsMissing(1));
  CHECK(generator.Due(clock.NowUs()));
  CHECK(Collect(generator, clock) == std::vector<uint16_t>{65535, 0});
  CHECK_FALSE(generator.Due(clock.NowUs()));
  CHECK(Collect(generator, clock).empty());  // asked once per interval, however often polled

  CHECK(generator.OnPacket(0, clock.NowUs()));  // the retransmission fills the gap
  CHECK_FALSE(generator.IsMissing(0));
  CHECK(generator.counters().recovered == 1);
  CHECK_FALSE(generator.OnPacket(0, clock.NowUs()));  // duplicate
  CHECK(generator.counters().recovered == 1);
  clock.AdvanceMs(20);
  CHECK(Collect(generator, clock) == std::vector<uint16_t>{65535});
}

TEST_CASE("NackGenerator waits the reorder delay; reordered packets cause no NACK") {
  base::ManualClock clock;
  NackGenerator generator({.reorder_delay_us = 10'000});
  generator.OnPacket(10, clock.NowUs());
  generator.OnPacket(12, clock.NowUs());
  generator.OnPacket(14, clock.NowUs());
  CHECK_FALSE(generator.Due(clock.NowUs()));
  CHECK(Collect(generator, clock).empty());
  clock.AdvanceMs(5);
  generator.OnPacket(11, clock.NowUs());  // reordered, not lost
  clock.AdvanceMs(5);
  CHECK(generator.Due(clock.NowUs()));
  CHECK(Collect(generator, clock) == std::vector<uint16_t>{13});
  CHECK(generator.counters().missing == 2);
  CHECK(generator.counters().reordered == 1);
  CHECK(generator.counters().recovered == 0);
  CHECK(generator.counters().requested == 1);
}

TEST_CASE("NackGenerator retries every max(RTT, 20 ms) and gives up") {
  struct Case {
    const char* name;
    uint64_t rtt_us;
    uint32_t max_requests;
    uint64_t max_age_us;
    size_t expected_requests;  // polled every ms for 2 s
  };
  const std::array<Case, 4> cases{{
      {"small RTT floors at 20 ms, stops after 10", 1'000, 10, 1'000'000, 10},
      {"RTT 100 ms, age limit first", 100'000, 100, 1'000'000, 10},  // t=0,100,...,900
      {"RTT 300 ms", 300'000, 10, 1'000'000, 4},                     // t=0,300,600,900
      {"one request only", 50'000, 1, 1'000'000, 1},
  }};
  for (const auto& c : cases) {
    CAPTURE(c.name);
    base::ManualClock clock;
    NackGenerator generator({.max_requests = c.max_requests, .max_age_us = c.max_age_us});
    generator.OnPacket(1, clock.NowUs());
    generator.OnPacket(3, clock.NowUs());
    std::vector<uint64_t> sent_at_ms;
    const uint64_t start = clock.NowUs();
    for (int ms = 0; ms < 2000; ++ms) {
      if (generator.Due(clock.NowUs())) {
        auto seqs = Collect(generator, clock, c.rtt_us);
        for (uint16_t seq : seqs) {
          CHECK(seq == 2);
          sent_at_ms.push_back((clock.NowUs() - start) / 1000);
        }
      } else {
        CHECK(Collect(generator, clock, c.rtt_us).empty());  // Due is exact: nothing hides
      }
      clock.AdvanceMs(1);
    }
    CHECK(sent_at_ms.size() == c.expected_requests);
    const uint64_t interval_ms = std::max<uint64_t>(c.rtt_us, 20'000) / 1000;
    for (size_t i = 0; i < sent_at_ms.size(); ++i) CHECK(sent_at_ms[i] == i * interval_ms);
    CHECK(generator.missing_count() == 0);
    CHECK(generator.counters().given_up == 1);
    CHECK_FALSE(generator.IsMissing(2));
    CHECK_FALSE(generator.OnPacket(2, clock.NowUs()));  // too late to count as recovered
  }
}

TEST_CASE("NackGenerator drops losses pushed out of its ring and resets on huge jumps") {
  base::ManualClock clock;
  NackGenerator generator({.max_tracked = 32});
  generator.OnPacket(0, clock.NowUs());
  generator.OnPacket(2, clock.NowUs());  // 1 lost
  for (uint16_t seq = 3; seq < 40; ++seq) generator.OnPacket(seq, clock.NowUs());
  CHECK(generator.counters().given_up == 1);
  CHECK(generator.missing_count() == 0);
  CHECK(Collect(generator, clock).empty());

  generator.OnPacket(45, clock.NowUs());  // 40..44 lost
  CHECK(generator.missing_count() == 5);
  generator.OnPacket(30000, clock.NowUs());  // a restart, not 29954 losses
  CHECK(generator.counters().resets == 1);
  CHECK(generator.missing_count() == 0);
  generator.OnPacket(30002, clock.NowUs());
  CHECK(Collect(generator, clock) == std::vector<uint16_t>{30001});
}

TEST_CASE("NackGenerator fills a small output span over several calls") {
  base::ManualClock clock;
  NackGenerator generator;
  generator.OnPacket(0, clock.NowUs());
  generator.OnPacket(11, clock.NowUs());  // 1..10 lost
  std::array<uint16_t, 4> out{};
  CHECK(generator.Collect(clock.NowUs(), 0, out) == 4);
  CHECK(out == std::array<uint16_t, 4>{1, 2, 3, 4});
  CHECK(generator.Due(clock.NowUs()));
  CHECK(generator.Collect(clock.NowUs(), 0, out) == 4);
  CHECK(out == std::array<uint16_t, 4>{5, 6, 7, 8});
  CHECK(generator.Collect(clock.NowUs(), 0, out) == 2);
  CHECK_FALSE(generator.Due(clock.NowUs()));
}
