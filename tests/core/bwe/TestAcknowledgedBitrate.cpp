#include "core/bwe/AcknowledgedBitrate.hpp"

#include <doctest/doctest.h>

using cascade::bwe::AcknowledgedBitrate;

TEST_CASE("AcknowledgedBitrate measures received bytes over the last 500 ms of arrivals") {
  AcknowledgedBitrate rate;
  CHECK_FALSE(rate.bitrate_bps());
  // 1,250 bytes every 10 ms = 1 Mbit/s.
  for (int i = 0; i < 10; ++i) rate.OnPacket(-100'000 + i * 10'000, 1250);
  CHECK_FALSE(rate.bitrate_bps());  // 90 ms seen: too little
  for (int i = 10; i < 100; ++i) rate.OnPacket(-100'000 + i * 10'000, 1250);
  REQUIRE(rate.bitrate_bps());
  CHECK(*rate.bitrate_bps() == doctest::Approx(1'000'000).epsilon(0.03));
  // The rate drops to 500 kbit/s: after a window, only the new rate counts.
  for (int i = 100; i < 150; ++i) rate.OnPacket(-100'000 + i * 10'000, 625);
  CHECK(*rate.bitrate_bps() == doctest::Approx(500'000).epsilon(0.03));
  // A late (reordered) packet in the window counts; one older than the window does not.
  const uint64_t before = *rate.bitrate_bps();
  rate.OnPacket(-100'000 + 140 * 10'000, 625);
  CHECK(*rate.bitrate_bps() > before);
  const uint64_t with_late = *rate.bitrate_bps();
  rate.OnPacket(0, 100'000);
  CHECK(*rate.bitrate_bps() == with_late);
  rate.Reset();
  CHECK_FALSE(rate.bitrate_bps());
}
