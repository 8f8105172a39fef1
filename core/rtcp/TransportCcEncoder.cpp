#include "core/rtcp/TransportCcEncoder.hpp"

#include <algorithm>
#include <cstdint>

#include "core/rtcp/Feedback.hpp"
#include "core/rtcp/RtcpPacket.hpp"
#include "core/rtcp/TransportCc.hpp"

namespace cascade::rtcp {
namespace {

constexpr size_t kOneBitCapacity = 14;
constexpr size_t kTwoBitCapacity = 7;
constexpr size_t kMaxRunLength = 0x1fff;

// The symbols not yet written as a chunk (libwebrtc's LastChunk): they can stay open while
// they still fit a two-bit vector, a one-bit vector (no large deltas) or a uniform run.
class OpenChunk {
 public:
  bool CanAdd(uint8_t symbol) const {
    if (size_ < kTwoBitCapacity) return true;
    if (size_ < kOneBitCapacity && !has_large_ && symbol != TransportCc::kLargeDelta) return true;
    if (size_ < kMaxRunLength && all_same_ && symbols_[0] == symbol) return true;
    return false;
  }
  void Add(uint8_t symbol) {
    if (size_ < kOneBitCapacity) symbols_[size_] = symbol;
    ++size_;
    all_same_ = all_same_ && symbol == symbols_[0];
    has_large_ = has_large_ || symbol == TransportCc::kLargeDelta;
  }
  bool empty() const { return size_ == 0; }

  // Emits a full chunk when CanAdd said no.
  uint16_t Emit() {
    if (all_same_) {
      uint16_t chunk = RunLength();
      Clear();
      return chunk;
    }
    if (size_ == kOneBitCapacity) {
      uint16_t chunk = OneBit();
      Clear();
      return chunk;
    }
    uint16_t chunk = TwoBit(kTwoBitCapacity);
    size_t left = size_ - kTwoBitCapacity;
    Clear();
    uint8_t rest[kOneBitCapacity];
    for (size_t i = 0; i < left; ++i) rest[i] = symbols_[kTwoBitCapacity + i];
    for (size_t i = 0; i < left; ++i) Add(rest[i]);
    return chunk;
  }
  // Emits whatever is left at the end of the packet.
  uint16_t EmitLast() const {
    if (all_same_) return RunLength();
    if (size_ <= kTwoBitCapacity) return TwoBit(size_);
    return OneBit();
  }

 private:
  void Clear() {
    size_ = 0;
    all_same_ = true;
    has_large_ = false;
  }
  // §3.1.3: T=0, symbol, run length.
  uint16_t RunLength() const { return static_cast<uint16_t>((symbols_[0] << 13) | size_); }
  // §3.1.4: T=1, S=0, fourteen 1-bit symbols.
  uint16_t OneBit() const {
    uint16_t chunk = 0x8000;
    for (size_t i = 0; i < size_; ++i) chunk = static_cast<uint16_t>(chunk | (symbols_[i] << (13 - i)));
    return chunk;
  }
  // §3.1.4: T=1, S=1, seven 2-bit symbols (unused trailing ones stay 00).
  uint16_t TwoBit(size_t n) const {
    uint16_t chunk = 0xc000;
    for (size_t i = 0; i < n; ++i) chunk = static_cast<uint16_t>(chunk | (symbols_[i] << (2 * (6 - i))));
    return chunk;
  }

  uint8_t symbols_[kOneBitCapacity] = {};
  size_t size_ = 0;
  bool all_same_ = true;
  bool has_large_ = false;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

TransportCcEncoder::TransportCcEncoder(size_t reserve) {
  symbols_.reserve(reserve);
  deltas_.reserve(reserve);
  symbol_end_.reserve(reserve);
  delta_bytes_.reserve(reserve);
}

template <typename Sink>
void TransportCcEncoder::EncodeChunks(std::span<const uint8_t> symbols, Sink&& sink) {
  OpenChunk open;
  for (uint8_t symbol : symbols) {
    if (!open.CanAdd(symbol)) sink(open.Emit());
    open.Add(symbol);
  }
  if (!open.empty()) sink(open.EmitLast());
}

size_t TransportCcEncoder::FciSize(size_t symbol_count, size_t delta_bytes) {
  size_t chunks = 0;
  EncodeChunks(std::span<const uint8_t>(symbols_).first(symbol_count), [&chunks](uint16_t) { ++chunks; });
  return TransportCc::kFixedFciSize + 2 * chunks + delta_bytes;
}

base::Result<size_t, RtcpError> TransportCcEncoder::Encode(const Params& params,
                                                           std::span<const TccReceived> received,
                                                           base::ByteWriter& out) {
  symbols_.clear();
  deltas_.clear();
  symbol_end_.clear();
  delta_bytes_.clear();

  const uint16_t base_seq = params.base_seq.value_or(received.empty() ? 0 : received[0].seq);
  int64_t reference_units = 0;  // on the caller's clock, not wrapped
  if (params.reference_time) {
    reference_units = *params.reference_time;
  } else if (!received.empty()) {
    reference_units = FloorDiv(received[0].arrival_us, TransportCc::kReferenceTimeUnitUs);
  }
  // §3.1: the field is 24 bits (it wraps every ~12 days of 64 ms units); only the field is
  // wrapped: deltas are taken on the caller's clock, or a receiver up for more than 2^23
  // units (~6.2 days) could encode nothing.
  const int32_t reference = static_cast<int32_t>(((reference_units & 0xffffff) ^ 0x800000) - 0x800000);

  // Reported time so far: deltas are taken from it rather than from the previous true
  // arrival, so rounding errors do not accumulate.
  int64_t reported_us = reference_units * TransportCc::kReferenceTimeUnitUs;
  size_t bytes = 0;
  size_t taken = 0;
  for (const TccReceived& packet : received) {
    // Positions count from base_seq, so a window of up to 65535 sequence numbers is
    // unambiguous; a packet at or before the previous one is a caller error.
    size_t position = static_cast<uint16_t>(packet.seq - base_seq);
    if (position < symbols_.size()) return base::Fail(RtcpError::kInvalidArgument);
    size_t gap = position - symbols_.size();
    if (position + 1 > 0xffff) break;
    int64_t diff = packet.arrival_us - reported_us;
    int64_t ticks = (diff + (diff < 0 ? -TransportCc::kDeltaUnitUs / 2 : TransportCc::kDeltaUnitUs / 2)) /
                    TransportCc::kDeltaUnitUs;
    if (ticks < INT16_MIN || ticks > INT16_MAX) break;  // §3.1.5: needs a new reference time
    uint8_t symbol = (ticks >= 0 && ticks <= 255) ? TransportCc::kSmallDelta : TransportCc::kLargeDelta;
    symbols_.insert(symbols_.end(), gap, TransportCc::kNotReceived);
    symbols_.push_back(symbol);
    deltas_.push_back(static_cast<int16_t>(ticks));
    bytes += symbol == TransportCc::kSmallDelta ? 1 : 2;
    symbol_end_.push_back(static_cast<uint32_t>(symbols_.size()));
    delta_bytes_.push_back(static_cast<uint32_t>(bytes));
    reported_us += ticks * TransportCc::kDeltaUnitUs;
    ++taken;
  }

  // Shrink until header + FCI + alignment fits the caller's buffer.
  // Trailing losses are only reported when the packet covers every received one.
  if (taken == received.size() && params.status_count && *params.status_count > symbols_.size()) {
    symbols_.resize(*params.status_count, TransportCc::kNotReceived);
  }
  auto symbols_for = [&](size_t n) -> size_t {
    if (n == received.size()) return symbols_.size();
    return n == 0 ? 0 : symbol_end_[n - 1];
  };
  auto packet_size = [&](size_t n) {
    size_t fci = FciSize(symbols_for(n), n == 0 ? 0 : delta_bytes_[n - 1]);
    return (kHeaderSize + Feedback::kFixedSize + fci + 3) & ~static_cast<size_t>(3);
  };
  const size_t capacity = params.max_packet_size;
  // Every chunk but the last covers at least 7 symbols: when this bound fits, skip the
  // exact sizing pass.
  auto size_bound = [&](size_t n) {
    size_t symbols = symbols_for(n);
    size_t fci =
        TransportCc::kFixedFciSize + 2 * (symbols / kTwoBitCapacity + 1) + (n == 0 ? 0 : delta_bytes_[n - 1]);
    return (kHeaderSize + Feedback::kFixedSize + fci + 3) & ~static_cast<size_t>(3);
  };
  if (size_bound(taken) > capacity && packet_size(taken) > capacity) {
    // The size grows with every packet added: find the longest prefix that fits.
    size_t lo = 0, hi = taken;
    while (lo < hi) {
      size_t mid = lo + (hi - lo + 1) / 2;
      if (packet_size(mid) <= capacity) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    taken = lo;
  }
  if (size_bound(taken) > capacity && packet_size(taken) > capacity)
    return base::Fail(RtcpError::kBufferTooSmall);

  const size_t symbol_count = symbols_for(taken);
  size_t start = Feedback::Begin(kPtRtpfb, kFmtTcc, params.sender_ssrc, params.media_ssrc, out);
  out.U16(base_seq);
  out.U16(static_cast<uint16_t>(symbol_count));
  out.U24(static_cast<uint32_t>(reference) & 0xffffff);
  out.U8(params.feedback_count);
  EncodeChunks(std::span<const uint8_t>(symbols_).first(symbol_count),
               [&out](uint16_t chunk) { out.U16(chunk); });
  for (size_t i = 0; i < taken; ++i) {
    int16_t delta = deltas_[i];
    if (delta >= 0 && delta <= 255) {
      out.U8(static_cast<uint8_t>(delta));
    } else {
      out.U16(static_cast<uint16_t>(delta));
    }
  }
  // libwebrtc pads transport-cc with RFC 3550 padding (P bit), and so do we.
  auto size = FinishPacket(out, start, /*padding_bit=*/true);
  if (!size) return base::Fail(size.error());
  return taken;
}

}  // namespace cascade::rtcp
