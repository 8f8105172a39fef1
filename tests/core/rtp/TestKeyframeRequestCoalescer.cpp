#include "core/rtp/KeyframeRequestCoalescer.hpp"

#include <doctest/doctest.h>

#include "core/base/Clock.hpp"

using namespace cascade;
using cascade::rtp::KeyframeRequestCoalescer;

TEST_CASE("KeyframeRequestCoalescer turns 200 requests into a handful") {
  base::ManualClock clock;
  KeyframeRequestCoalescer coalescer(300'000);
  int sent = 0;
  // 200 viewers ask, one every 5 ms (1 s in all); the sender is polled every ms.
  for (int ms = 0; ms < 1500; ++ms) {
    if (ms % 5 == 0 && ms < 1000) coalescer.OnRequest(clock.NowUs());
    if (coalescer.Due(clock.NowUs())) {
      coalescer.OnSent(clock.NowUs());
      ++sent;
    }
    clock.AdvanceMs(1);
  }
  CHECK(coalescer.counters().requests == 200);
  CHECK(sent == 5);  // t = 0, 300, 600, 900 ms, and 1200 ms for the requests after 900 ms
  CHECK_FALSE(coalescer.pending());
}

TEST_CASE("KeyframeRequestCoalescer sends a request from the interval when it ends") {
  base::ManualClock clock;
  KeyframeRequestCoalescer coalescer(300'000);
  CHECK_FALSE(coalescer.Due(clock.NowUs()));
  coalescer.OnRequest(clock.NowUs());
  REQUIRE(coalescer.Due(clock.NowUs()));
  coalescer.OnSent(clock.NowUs());
  clock.AdvanceMs(100);
  coalescer.OnRequest(clock.NowUs());
  CHECK(coalescer.pending());
  CHECK_FALSE(coalescer.Due(clock.NowUs()));
  clock.AdvanceMs(199);
  CHECK_FALSE(coalescer.Due(clock.NowUs()));
  clock.AdvanceMs(1);
  CHECK(coalescer.Due(clock.NowUs()));
  // Sending failed (no buffer): it stays due.
  clock.AdvanceMs(10);
  CHECK(coalescer.Due(clock.NowUs()));
  coalescer.OnSent(clock.NowUs());
  CHECK_FALSE(coalescer.Due(clock.NowUs()));
  CHECK(coalescer.counters().sent == 2);
}
