#include "core/rtcp/TransportCcDecoder.hpp"

#include "core/base/Bytes.hpp"

namespace cascade::rtcp {

base::Result<size_t, RtcpError> TransportCcDecoder::Decode(const TransportCc& feedback) {
  const size_t count = feedback.status_count();
  std::span<const uint8_t> body = feedback.chunks_and_deltas();
  results_.resize(count);  // keeps capacity: no allocation once grown
  received_ = 0;
  auto fail = [this](RtcpError error) {
    results_.clear();
    received_ = 0;
    return base::Fail(error);
  };

  // §3.1.1-§3.1.4: chunks until every one of `count` packets has a status symbol; the last
  // chunk may describe more packets than remain, the surplus is ignored.
  size_t offset = 0;
  size_t filled = 0;
  while (filled < count) {
    if (body.size() - offset < 2) return fail(RtcpError::kTccChunksTruncated);
    uint16_t chunk = base::LoadBe16(body.data() + offset);
    offset += 2;
    if ((chunk & 0x8000) == 0) {
      // §3.1.3 run length chunk: T=0, 2-bit symbol, 13-bit run length.
      uint8_t symbol = static_cast<uint8_t>((chunk >> 13) & 0x3);
      size_t run = chunk & 0x1fff;
      if (symbol == 3 && run > 0) return fail(RtcpError::kTccReservedSymbol);
      for (size_t i = 0; i < run && filled < count; ++i) results_[filled++].symbol = symbol;
    } else if ((chunk & 0x4000) == 0) {
      // §3.1.4 status vector chunk, S=0: fourteen 1-bit symbols (received with small delta).
      for (int i = 13; i >= 0 && filled < count; --i) results_[filled++].symbol = (chunk >> i) & 0x1;
    } else {
      // §3.1.4 status vector chunk, S=1: seven 2-bit symbols.
      for (int i = 6; i >= 0 && filled < count; --i) {
        uint8_t symbol = static_cast<uint8_t>((chunk >> (2 * i)) & 0x3);
        // §3.1.1: symbol 11 is reserved.
        if (symbol == 3) return fail(RtcpError::kTccReservedSymbol);
        results_[filled++].symbol = symbol;
      }
    }
  }

  // §3.1.5: one receive delta per received packet, 1 byte (unsigned) for small, 2 bytes
  // (signed) for large, each relative to the previous received packet (the first to the
  // reference time).
  int64_t time_us = static_cast<int64_t>(feedback.reference_time()) * TransportCc::kReferenceTimeUnitUs;
  uint16_t seq = feedback.base_seq();
  for (size_t i = 0; i < count; ++i, ++seq) {
    TccPacketResult& r = results_[i];
    r.seq = seq;
    r.received = r.symbol != TransportCc::kNotReceived;
    r.delta_ticks = 0;
    if (r.symbol == TransportCc::kSmallDelta) {
      if (body.size() - offset < 1) return fail(RtcpError::kTccDeltasTruncated);
      r.delta_ticks = body[offset];
      offset += 1;
    } else if (r.symbol == TransportCc::kLargeDelta) {
      if (body.size() - offset < 2) return fail(RtcpError::kTccDeltasTruncated);
      r.delta_ticks = static_cast<int16_t>(base::LoadBe16(body.data() + offset));
      offset += 2;
    }
    if (r.received) {
      time_us += static_cast<int64_t>(r.delta_ticks) * TransportCc::kDeltaUnitUs;
      ++received_;
    }
    r.arrival_us = r.received ? time_us : 0;
  }
  return count;
}

}  // namespace cascade::rtcp
