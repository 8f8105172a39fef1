#include "core/rtp/SeqUnwrapper.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "tests/TestData.hpp"

using namespace cascade::rtp;

TEST_CASE("IsNewerSeq handles wraparound and the half-way tie") {
  struct Case {
    uint16_t a, b;
    bool newer;
  };
  const Case cases[] = {
      {1, 0, true},       {0, 1, false},      {0, 65535, true},    {65535, 0, false},
      {5, 5, false},      {0x8000, 0, true},  {0, 0x8000, false},  {0x7fff, 0, true},
      {0x8001, 0, false}, {100, 65000, true}, {65000, 100, false}, {0xffff, 0x7fff, true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CHECK(IsNewerSeq(c.a, c.b) == c.newer);
  }
  CHECK(LatestSeq(65535, 2) == 2);
}

TEST_CASE("SeqUnwrapper extends across wraps in both directions") {
  SeqUnwrapper u;
  const std::vector<std::pair<uint16_t, int64_t>> steps = {
      {65534, 65534}, {65535, 65535},  {0, 65536},  {65535, 65535},  {1, 65537},
      {30000, 95536}, {60000, 125536}, {2, 131074}, {40000, 105536}, {2, 131074},
  };
  for (const auto& step : steps) {
    const auto& [in, out] = step;
    const uint16_t label = in;
    CAPTURE(label);
    CHECK(u.Unwrap(in) == out);
  }
  CHECK(u.PeekUnwrap(3) == 131075);
  CHECK(u.Unwrap(1) == 131073);
  u.Reset();
  CHECK(u.Unwrap(9) == 9);
}

TEST_CASE("SeqUnwrapper follows the mediasoup VP8 trace") {
  auto text = cascade::test::ReadText("rtp/mediasoup_vp8_stream/rtp-stream-1.txt");
  std::istringstream lines(text);
  std::string line;
  SeqUnwrapper u;
  int64_t previous = -1;
  size_t count = 0;
  while (std::getline(lines, line)) {
    unsigned seq = 0;
    unsigned long ts = 0;
    if (std::sscanf(line.c_str(), "packet [seq:%u, timestamp:%lu]", &seq, &ts) != 2) continue;
    // Replay the trace shifted so that it wraps in the middle.
    const auto shifted = static_cast<uint16_t>(seq + 65536 - 21006 - 60);
    const int64_t unwrapped = u.Unwrap(shifted);
    if (previous >= 0) CHECK(unwrapped == previous + 1);
    previous = unwrapped;
    ++count;
  }
  CHECK(count > 100);
  CHECK(previous > 65535);
}
