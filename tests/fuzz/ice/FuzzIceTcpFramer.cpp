// Feeds one byte stream to the ICE-TCP framer twice, whole and in chunks whose sizes come from
// the input, and checks both deliver the same frames and end in the same state. Each frame is
// also re-encoded and must decode back to itself.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/ice/IceTcpFramer.hpp"

using namespace cascade::ice;

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

struct Collector : IceTcpFramer::Listener {
  std::vector<std::vector<uint8_t>> frames;
  size_t max_frame = 0;
  void OnIceTcpFramerFrame(IceTcpFramer*, std::span<const uint8_t> frame) override {
    Check(!frame.empty() && frame.size() <= max_frame);
    frames.emplace_back(frame.begin(), frame.end());
  }
};

struct Outcome {
  std::vector<std::vector<uint8_t>> frames;
  std::optional<IceTcpFramerError> error;
  size_t pending = 0;
};

Outcome Run(std::span<const uint8_t> stream, std::span<const uint8_t> chunk_sizes, size_t max_frame,
            bool check) {
  Collector c;
  c.max_frame = max_frame;
  IceTcpFramer framer(&c, max_frame, check);
  Outcome out;
  size_t pos = 0;
  size_t i = 0;
  size_t delivered = 0;
  while (pos < stream.size()) {
    size_t n = stream.size() - pos;
    if (!chunk_sizes.empty()) n = std::min<size_t>(n, 1 + chunk_sizes[i++ % chunk_sizes.size()] % 64);
    auto r = framer.Feed(stream.subspan(pos, n));
    pos += n;
    if (!r.ok()) {
      out.error = r.error();
      Check(framer.failed());
      Check(framer.Feed(stream.first(0)).error() == IceTcpFramerError::kFailed || stream.empty());
      break;
    }
    delivered += *r;
  }
  if (!out.error) {
    Check(delivered == c.frames.size());
    out.pending = framer.pending();
  }
  out.frames = std::move(c.frames);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const size_t max_frame = 1 + ((static_cast<size_t>(data[0]) << 8 | data[1]) % 2048);
  const bool check = (data[2] & 1) != 0;
  const size_t n_sizes = data[3] % 16;
  if (size < 4 + n_sizes) return 0;
  const auto chunk_sizes = std::span<const uint8_t>(data + 4, n_sizes);
  const auto stream = std::span<const uint8_t>(data + 4 + n_sizes, size - 4 - n_sizes);

  const Outcome whole = Run(stream, {}, max_frame, check);
  const Outcome chunked =
      Run(stream, chunk_sizes.empty() ? std::span<const uint8_t>(data, 1) : chunk_sizes, max_frame, check);
  Check(whole.frames == chunked.frames);
  Check(whole.error == chunked.error);
  Check(whole.pending == chunked.pending);

  // Re-encoding the frames gives a stream that decodes to the same frames.
  std::vector<uint8_t> encoded;
  for (const auto& f : whole.frames) {
    std::vector<uint8_t> buf(f.size() + IceTcpFramer::kLengthPrefixSize);
    auto n = IceTcpFramer::Encode(f, buf);
    Check(n.ok() && *n == buf.size());
    encoded.insert(encoded.end(), buf.begin(), buf.end());
  }
  const Outcome re = Run(encoded, chunk_sizes, max_frame, check);
  Check(!re.error && re.pending == 0 && re.frames == whole.frames);
  return 0;
}
