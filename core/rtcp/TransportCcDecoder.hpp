#pragma once
// Expands a transport-cc feedback into one result per reported sequence number. The decoder
// keeps its result storage between calls, so once it has grown to the largest status count
// seen, decoding does not allocate.
#include <cstdint>
#include <span>
#include <vector>

#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/TransportCc.hpp"

namespace cascade::rtcp {

struct TccPacketResult {
  uint16_t seq = 0;
  bool received = false;
  uint8_t symbol = 0;       // TransportCc::kNotReceived / kSmallDelta / kLargeDelta
  int32_t delta_ticks = 0;  // receive delta in 250 us ticks (0 when not received)
  int64_t arrival_us = 0;   // reference time + all deltas up to this packet
};

class TransportCcDecoder {
 public:
  explicit TransportCcDecoder(size_t reserve = 64) { results_.reserve(reserve); }

  // On success results() holds status_count() entries; on failure it is empty.
  base::Result<size_t, RtcpError> Decode(const TransportCc& feedback);

  std::span<const TccPacketResult> results() const { return results_; }
  size_t received_count() const { return received_; }

 private:
  std::vector<TccPacketResult> results_;
  size_t received_ = 0;
};

}  // namespace cascade::rtcp
