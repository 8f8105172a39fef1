#include "core/rtp/PacketCache.hpp"

#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "core/base/Clock.hpp"

using namespace cascade;
using cascade::rtp::PacketCache;

namespace {

// A fake datagram whose bytes encode its sequence number, so a lookup proves which one it got.
std::vector<uint8_t> Packet(uint16_t seq, size_t size = 100) {
  std::vector<uint8_t> bytes(size, static_cast<uint8_t>(seq));
  bytes[0] = static_cast<uint8_t>(seq >> 8);
  return bytes;
}

bool Holds(const PacketCache& cache, uint16_t seq, uint64_t now_us) {
  auto found = cache.Find(seq, now_us);
  return !found.empty() && found[0] == static_cast<uint8_t>(seq >> 8) &&
         found[1] == static_cast<uint8_t>(seq);
}

}  // namespace

TEST_CASE("PacketCache finds what it stored and nothing else") {
  base::ManualClock clock;
  PacketCache cache({.capacity = 16, .slot_size = 200, .max_age_us = 1'000'000});
  CHECK(cache.Find(5, clock.NowUs()).empty());
  for (uint16_t seq = 100; seq < 110; ++seq) CHECK(cache.Insert(seq, Packet(seq, 50 + seq), clock.NowUs()));
  for (uint16_t seq = 100; seq < 110; ++seq) {
    CHECK(Holds(cache, seq, clock.NowUs()));
    CHECK(cache.Find(seq, clock.NowUs()).size() == 50u + seq);
    CHECK(cache.ArrivalUs(seq, clock.NowUs()) == clock.NowUs());
  }
  CHECK(cache.Find(99, clock.NowUs()).empty());
  CHECK(cache.Find(110, clock.NowUs()).empty());
  // Same slot (110 + 6 = 116 ≡ 100 mod 16) but a different number: not a hit.
  CHECK(cache.Find(116, clock.NowUs()).empty());
}

TEST_CASE("PacketCache keeps packets across the sequence number wrap") {
  base::ManualClock clock;
  PacketCache cache({.capacity = 64, .slot_size = 200, .max_age_us = 1'000'000});
  for (uint32_t i = 0; i < 40; ++i)
    cache.Insert(static_cast<uint16_t>(65520 + i), Packet(65520 + i), clock.NowUs());
  for (uint32_t i = 0; i < 40; ++i) CHECK(Holds(cache, static_cast<uint16_t>(65520 + i), clock.NowUs()));
  CHECK(cache.Find(static_cast<uint16_t>(65520 + 40), clock.NowUs()).empty());
}

TEST_CASE("PacketCache stores reordered packets, rejects ones older than the ring") {
  base::ManualClock clock;
  PacketCache cache({.capacity = 8, .slot_size = 200, .max_age_us = 1'000'000});
  for (uint16_t seq : {10, 12, 11, 14, 13}) CHECK(cache.Insert(seq, Packet(seq), clock.NowUs()));
  for (uint16_t seq = 10; seq <= 14; ++seq) CHECK(Holds(cache, seq, clock.NowUs()));
  for (uint16_t seq = 15; seq <= 30; ++seq) cache.Insert(seq, Packet(seq), clock.NowUs());
  CHECK_FALSE(cache.Insert(20, Packet(20), clock.NowUs()));  // 30 - 20 >= capacity
  CHECK(cache.counters().too_old == 1);
  CHECK(cache.Find(20, clock.NowUs()).empty());
  CHECK(Holds(cache, 23, clock.NowUs()));
  // Reordered to before the first packet ever seen (unwraps below zero) still works.
  PacketCache early({.capacity = 8, .slot_size = 200, .max_age_us = 1'000'000});
  early.Insert(2, Packet(2), clock.NowUs());
  early.Insert(65534, Packet(65534), clock.NowUs());
  CHECK(Holds(early, 65534, clock.NowUs()));
  CHECK(Holds(early, 2, clock.NowUs()));
  CHECK(early.Find(65535, clock.NowUs()).empty());
}

TEST_CASE("PacketCache evicts by capacity and by age") {
  struct Case {
    const char* name;
    size_t inserted;      // packets 0..inserted-1, one per ms
    uint64_t extra_ms;    // then wait
    uint16_t oldest_hit;  // every seq from here to inserted-1 is found, older ones are not
  };
  const std::array<Case, 4> cases{{
      {"under capacity, young", 10, 0, 0},
      {"over capacity", 40, 0, 24},    // capacity 16
      {"aged out partly", 10, 95, 5},  // max age 100 ms: packet k arrived at k ms
      {"aged out fully", 10, 200, 10},
  }};
  for (const auto& c : cases) {
    CAPTURE(c.name);
    base::ManualClock clock;
    PacketCache cache({.capacity = 16, .slot_size = 200, .max_age_us = 100'000});
    for (size_t i = 0; i < c.inserted; ++i) {
      cache.Insert(static_cast<uint16_t>(i), Packet(static_cast<uint16_t>(i)), clock.NowUs());
      clock.AdvanceMs(1);
    }
    clock.AdvanceMs(c.extra_ms);
    for (size_t i = 0; i < c.inserted; ++i) {
      CAPTURE(i);
      CHECK(Holds(cache, static_cast<uint16_t>(i), clock.NowUs()) == (i >= c.oldest_hit));
    }
  }
}

TEST_CASE("PacketCache refuses packets larger than a slot and can be cleared") {
  base::ManualClock clock;
  PacketCache cache({.capacity = 4, .slot_size = 100, .max_age_us = 1'000'000});
  CHECK(cache.Insert(1, Packet(1, 100), clock.NowUs()));
  CHECK_FALSE(cache.Insert(2, Packet(2, 101), clock.NowUs()));
  CHECK(cache.counters().too_large == 1);
  CHECK(cache.Find(2, clock.NowUs()).empty());
  cache.Clear();
  CHECK(cache.Find(1, clock.NowUs()).empty());
  CHECK(cache.Insert(40000, Packet(40000), clock.NowUs()));
  CHECK(Holds(cache, 40000, clock.NowUs()));
}
