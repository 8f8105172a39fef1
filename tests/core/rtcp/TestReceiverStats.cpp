#include "core/rtcp/ReceiverStats.hpp"

#include <doctest/doctest.h>

using namespace cascade::rtcp;

TEST_CASE("ReceiverStats counts losses and fraction per interval (RFC 3550 A.3)") {
  ReceiverStats stats;
  CHECK(stats.MakeReport().extended_highest_seq == 0);
  for (uint16_t s = 100; s < 200; ++s) {
    if (s % 10 == 0 && s != 100) continue;  // lose 9 of 100
    stats.OnPacket(s);
  }
  CHECK(stats.expected() == 100);
  CHECK(stats.received() == 91);
  auto report = stats.MakeReport();
  CHECK(report.cumulative_lost == 9);
  CHECK(report.fraction_lost == (9 * 256) / 100);
  CHECK(report.extended_highest_seq == 199);
  // Next interval: nothing lost, fraction back to 0, cumulative stays.
  for (uint16_t s = 200; s < 250; ++s) stats.OnPacket(s);
  report = stats.MakeReport();
  CHECK(report.fraction_lost == 0);
  CHECK(report.cumulative_lost == 9);
}

TEST_CASE("ReceiverStats extends sequence numbers across the wrap") {
  ReceiverStats stats;
  for (uint32_t i = 0; i < 100; ++i) stats.OnPacket(static_cast<uint16_t>(65500 + i));
  auto report = stats.MakeReport();
  CHECK(report.extended_highest_seq == 65536 + 63);
  CHECK(report.cumulative_lost == 0);
}

TEST_CASE("ReceiverStats: duplicates make cumulative lost negative, reordering does not move max") {
  ReceiverStats stats;
  stats.OnPacket(10);
  stats.OnPacket(11);
  stats.OnPacket(11);
  stats.OnPacket(9);  // late: before base, counted as received
  CHECK(stats.extended_highest_seq() == 11);
  auto report = stats.MakeReport();
  CHECK(report.cumulative_lost == -2);
  CHECK(report.fraction_lost == 0);
}

TEST_CASE("ReceiverStats resyncs after a confirmed large jump (RFC 3550 A.1)") {
  ReceiverStats stats;
  for (uint16_t s = 0; s < 10; ++s) stats.OnPacket(s);
  CHECK_FALSE(stats.OnPacket(30000));  // one stray packet far away: ignored
  CHECK(stats.extended_highest_seq() == 9);
  CHECK(stats.OnPacket(10));  // the stream goes on
  CHECK(stats.extended_highest_seq() == 10);
  CHECK_FALSE(stats.OnPacket(40000));
  CHECK(stats.OnPacket(40001));  // follows the stray: the source restarted there
  CHECK(stats.extended_highest_seq() == 40001);
  CHECK(stats.expected() == 1);
  CHECK(stats.received() == 1);
}

TEST_CASE("ReceiverStats clamps cumulative lost to 24 bits") {
  ReceiverStats stats;
  uint16_t s = 0;
  stats.OnPacket(s);
  // Lose 2999 of every 3000 for long enough to exceed 2^23 lost packets.
  for (int i = 0; i < 3000; ++i) {
    s = static_cast<uint16_t>(s + 2999);
    stats.OnPacket(s);
  }
  CHECK(stats.cumulative_lost() > 8388607);
  CHECK(stats.MakeReport().cumulative_lost == 8388607);
}
