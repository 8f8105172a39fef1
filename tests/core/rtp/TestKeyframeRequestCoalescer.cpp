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

TEST_CASE(
    "KeyframeRequestCoalescer waits one upstream RTT while a request is in flight, and a keyframe serves "
    "everyone") {
  KeyframeRequestCoalescer coalescer(300'000);
  coalescer.OnRequest(0);
  REQUIRE(coalescer.Due(0, 400'000));
  coalescer.OnSent(0);
  coalescer.OnRequest(350'000);
  // Past the interval, but the first request (RTT 400 ms) cannot have been answered yet.
  CHECK_FALSE(coalescer.Due(350'000, 400'000));
  CHECK(coalescer.Due(500'000, 400'000));  // RTT + encoder margin: the keyframe was lost, ask again
  // The keyframe arrives first: it serves the waiting request; nothing goes out.
  coalescer.OnKeyframe();
  CHECK_FALSE(coalescer.pending());
  CHECK_FALSE(coalescer.Due(500'000, 400'000));
  // After a keyframe the plain interval applies again.
  coalescer.OnRequest(600'000);
  CHECK(coalescer.Due(600'000, 400'000));
  // Without an RTT the interval alone counts, as before.
  coalescer.OnSent(600'000);
  coalescer.OnRequest(700'000);
  CHECK(coalescer.Due(900'000));
}
