#include "tools/relaybench/ArrivalLog.hpp"

#include <doctest/doctest.h>

using cascade::relaybench::ArrivalLog;

TEST_CASE("ArrivalLog counts the window's packets at each endpoint and subtracts arrival times") {
  ArrivalLog log(3);
  // Before the window: sequence numbers 1..10 at every endpoint, not recorded.
  for (uint16_t seq = 1; seq <= 10; ++seq) {
    for (size_t e = 0; e < 3; ++e) log.OnPacket(e, 7, seq, 1000 + seq);
  }
  log.StartWindow(5000);
  // 11..20: endpoint 0 first, endpoint 1 100 µs later, endpoint 2 misses 15 and 16.
  for (uint16_t seq = 11; seq <= 20; ++seq) {
    const uint64_t t = 5000 + seq * 1000u;
    log.OnPacket(0, 7, seq, t);
    log.OnPacket(1, 7, seq, t + 100);
    if (seq != 15 && seq != 16) log.OnPacket(2, 7, seq, t + 250);
  }
  log.EndWindow();
  // After the window: 21 is not counted; a late copy of 20 is a duplicate.
  log.OnPacket(0, 7, 21, 40000);
  log.OnPacket(1, 7, 20, 40001);
  log.Stop();

  CHECK(log.expected() == 10);
  auto received = log.received();
  REQUIRE(received.size() == 3);
  CHECK(received[0] == 10);
  CHECK(received[1] == 10);
  CHECK(received[2] == 8);
  auto delays = log.Delays(0, 1);
  REQUIRE(delays.size() == 10);
  for (auto d : delays) CHECK(d == 100);
  auto to_two = log.Delays(0, 2);
  CHECK(to_two.size() == 8);
  CHECK(ArrivalLog::Percentile(to_two, 50) == 250);
}

TEST_CASE("ArrivalLog agrees on packet numbers across a sequence number wrap") {
  ArrivalLog log(2);
  log.OnPacket(0, 9, 65530, 1);
  log.OnPacket(1, 9, 65530, 2);
  log.StartWindow(10);
  // 65531 .. 65535, 0 .. 4: endpoint 0 crosses the wrap before endpoint 1 gets 65535.
  for (uint32_t i = 0; i < 10; ++i) {
    const auto seq = static_cast<uint16_t>(65531 + i);
    log.OnPacket(0, 9, seq, 100 + i * 10);
  }
  for (uint32_t i = 0; i < 10; ++i) {
    const auto seq = static_cast<uint16_t>(65531 + i);
    log.OnPacket(1, 9, seq, 105 + i * 10);
  }
  log.EndWindow();
  CHECK(log.expected() == 10);
  auto received = log.received();
  CHECK(received[0] == 10);
  CHECK(received[1] == 10);
  auto delays = log.Delays(0, 1);
  REQUIRE(delays.size() == 10);
  for (auto d : delays) CHECK(d == 5);
}

TEST_CASE("ArrivalLog: a stream first seen inside the window starts at its first packet") {
  ArrivalLog log(1);
  log.StartWindow(0);
  for (uint16_t seq = 500; seq < 505; ++seq) log.OnPacket(0, 3, seq, seq);
  log.EndWindow();
  log.OnPacket(0, 4, 1, 1000);  // began after the window: ignored
  CHECK(log.expected() == 5);
  CHECK(log.received()[0] == 5);
}

TEST_CASE("ArrivalLog::Percentile is nearest-rank") {
  std::vector<int64_t> values = {5, 1, 4, 2, 3};
  CHECK(ArrivalLog::Percentile(values, 50) == 3);
  CHECK(ArrivalLog::Percentile(values, 99) == 5);
  CHECK(ArrivalLog::Percentile(values, 0) == 1);
  std::vector<int64_t> empty;
  CHECK(ArrivalLog::Percentile(empty, 50) == 0);
}
