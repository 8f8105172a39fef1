#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "core/ice/IceTcpFramer.hpp"

using namespace cascade::ice;

namespace {

struct Collector : IceTcpFramer::Listener {
  std::vector<std::vector<uint8_t>> frames;
  void OnIceTcpFramerFrame(IceTcpFramer*, std::span<const uint8_t> frame) override {
    frames.emplace_back(frame.begin(), frame.end());
  }
};

std::vector<uint8_t> Frame(uint8_t first, size_t size, uint8_t fill) {
  std::vector<uint8_t> f(size, fill);
  if (size > 0) f[0] = first;
  return f;
}

std::vector<uint8_t> EncodeAll(const std::vector<std::vector<uint8_t>>& frames) {
  std::vector<uint8_t> stream;
  for (const auto& f : frames) {
    std::vector<uint8_t> buf(f.size() + 2);
    auto n = IceTcpFramer::Encode(f, buf);
    REQUIRE(n.ok());
    stream.insert(stream.end(), buf.begin(), buf.begin() + static_cast<long>(*n));
  }
  return stream;
}

}  // namespace

TEST_CASE("IceTcpFramer yields the same frames for every chunking of the stream") {
  const std::vector<std::vector<uint8_t>> frames = {
      Frame(0x00, 20, 1), Frame(0x16, 300, 2), Frame(0x80, 1, 3), Frame(0x81, 1200, 4), Frame(0x01, 2, 5)};
  const auto stream = EncodeAll(frames);
  std::mt19937 rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    Collector c;
    IceTcpFramer framer(&c, 1500);
    size_t pos = 0;
    size_t delivered = 0;
    while (pos < stream.size()) {
      // Chunk sizes from 1 byte to whole-stream, biased small so prefixes split often.
      const size_t max = trial == 0 ? stream.size() : (trial % 2 ? 3 : 700);
      const size_t n = std::min(stream.size() - pos, 1 + rng() % max);
      auto r = framer.Feed(std::span<const uint8_t>(stream).subspan(pos, n));
      REQUIRE(r.ok());
      delivered += *r;
      pos += n;
    }
    CHECK(delivered == frames.size());
    CHECK(c.frames == frames);
    CHECK(framer.pending() == 0);
  }
}

TEST_CASE("IceTcpFramer keeps a partial frame pending until it completes") {
  Collector c;
  IceTcpFramer framer(&c, 100);
  const auto stream = EncodeAll({Frame(0x00, 10, 7)});
  CHECK(*framer.Feed(std::span<const uint8_t>(stream).first(1)) == 0);
  CHECK(framer.pending() == 1);
  CHECK(*framer.Feed(std::span<const uint8_t>(stream).subspan(1, 5)) == 0);
  CHECK(framer.pending() == 4);
  CHECK(*framer.Feed(std::span<const uint8_t>(stream).subspan(6)) == 1);
  CHECK(c.frames.size() == 1);
}

TEST_CASE("IceTcpFramer rejects oversized and garbage frames and stays failed") {
  struct Case {
    const char* name;
    std::vector<uint8_t> stream;
    IceTcpFramerError error;
    size_t frames_before;
  };
  auto good = EncodeAll({Frame(0x00, 8, 0)});
  auto with_prefix = [&](std::vector<uint8_t> tail) {
    auto s = good;
    s.insert(s.end(), tail.begin(), tail.end());
    return s;
  };
  const std::vector<Case> cases = {
      {"length above max", {0x01, 0x01, 0x00}, IceTcpFramerError::kFrameTooLarge, 0},
      {"length 0xFFFF", with_prefix({0xFF, 0xFF}), IceTcpFramerError::kFrameTooLarge, 1},
      {"HTTP request read as a length", {'G', 'E', 'T', ' ', '/'}, IceTcpFramerError::kFrameTooLarge, 0},
      {"HTTP request in a frame", {0x00, 0x03, 'G', 'E', 'T'}, IceTcpFramerError::kGarbage, 0},
      {"first byte 0x50", with_prefix({0x00, 0x04, 0x50, 0, 0, 0}), IceTcpFramerError::kGarbage, 1},
      {"TLS record on a split frame", {0x00, 0x02, 0x08}, IceTcpFramerError::kGarbage, 0},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    Collector col;
    IceTcpFramer framer(&col, 256);
    auto r = framer.Feed(c.stream);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == c.error);
    CHECK(col.frames.size() == c.frames_before);
    CHECK(framer.failed());
    CHECK(framer.Feed(good).error() == IceTcpFramerError::kFailed);
  }
  // With the first-byte check off, any byte is accepted.
  Collector col;
  IceTcpFramer lax(&col, 256, false);
  CHECK(*lax.Feed(std::vector<uint8_t>{0x00, 0x02, 'h', 'i'}) == 1);
}

TEST_CASE("IceTcpFramer skips zero-length frames") {
  Collector c;
  IceTcpFramer framer(&c, 64);
  auto stream = EncodeAll({{}, Frame(0x00, 4, 1), {}});
  CHECK(*framer.Feed(stream) == 1);
  CHECK(framer.empty_frames() == 2);
  for (uint8_t byte : stream) REQUIRE(framer.Feed(std::span<const uint8_t>(&byte, 1)).ok());
  CHECK(c.frames.size() == 2);
  CHECK(framer.empty_frames() == 4);
}

TEST_CASE("IceTcpFramer::Encode checks its output buffer") {
  std::vector<uint8_t> frame(10, 0);
  std::vector<uint8_t> out(11);
  CHECK(IceTcpFramer::Encode(frame, out).error() == IceTcpFramerError::kBufferTooSmall);
  out.resize(12);
  CHECK(*IceTcpFramer::Encode(frame, out) == 12);
  CHECK(out[0] == 0);
  CHECK(out[1] == 10);
  std::vector<uint8_t> huge(70000);
  std::vector<uint8_t> huge_out(70002);
  CHECK(IceTcpFramer::Encode(huge, huge_out).error() == IceTcpFramerError::kPayloadTooLarge);
}
