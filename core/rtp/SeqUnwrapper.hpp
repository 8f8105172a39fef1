#pragma once
// Wraparound-safe RTP sequence number arithmetic (RFC 3550 Appendix A.1 uses the same
// half-range rule): 16-bit numbers compare by their signed distance.
#include <cstdint>
#include <optional>

namespace cascade::rtp {

// True when `a` follows `b` by less than half the sequence space; the exact half-way
// distance (0x8000) is broken towards the numerically larger value so the relation stays
// antisymmetric.
constexpr bool IsNewerSeq(uint16_t a, uint16_t b) {
  const uint16_t forward = static_cast<uint16_t>(a - b);
  if (forward == 0x8000) return a > b;
  return forward != 0 && forward < 0x8000;
}

// The newer of two sequence numbers.
constexpr uint16_t LatestSeq(uint16_t a, uint16_t b) { return IsNewerSeq(a, b) ? a : b; }

// Extends 16-bit sequence numbers to 64 bits by following the stream: each value is placed
// at the signed distance (-0x8000, 0x8000] from the last one, so reordering near a wrap
// still maps to the right cycle. The first value maps to itself.
class SeqUnwrapper {
 public:
  int64_t Unwrap(uint16_t sequence_number) {
    if (!last_) {
      last_ = sequence_number;
      return *last_;
    }
    const auto delta =
        static_cast<int16_t>(static_cast<uint16_t>(sequence_number - static_cast<uint16_t>(*last_)));
    // 0x8000 (int16 -32768) counts forward, matching IsNewerSeq's tie-break only when the
    // new value is numerically larger; otherwise treat it as a step back.
    int64_t step = delta;
    if (delta == INT16_MIN && sequence_number > static_cast<uint16_t>(*last_)) step = 0x8000;
    *last_ += step;
    return *last_;
  }
  // Unwraps without moving the reference point (for a lookup that must not disturb order).
  int64_t PeekUnwrap(uint16_t sequence_number) const {
    if (!last_) return sequence_number;
    SeqUnwrapper copy = *this;
    return copy.Unwrap(sequence_number);
  }
  void Reset() { last_.reset(); }

 private:
  std::optional<int64_t> last_;
};

}  // namespace cascade::rtp
