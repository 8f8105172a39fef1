#pragma once
// Builds transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) from
// the packets a receiver saw. Sequence numbers between the received ones are reported lost.
// Chunks are chosen greedily the way libwebrtc does (run length when a run is uniform,
// otherwise 14 one-bit or 7 two-bit symbols), so Chrome's own feedback re-encodes to the same
// bytes. Scratch storage is kept between calls: steady state does not allocate.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"

namespace cascade::rtcp {

struct TccReceived {
  uint16_t seq = 0;
  int64_t arrival_us = 0;
};

class TransportCcEncoder {
 public:
  struct Params {
    uint32_t sender_ssrc = 0;
    uint32_t media_ssrc = 0;
    uint8_t feedback_count = 0;
    // First reported sequence number; defaults to the first received one. Earlier
    // sequence numbers reported as lost come from setting it lower.
    std::optional<uint16_t> base_seq;
    // In 64 ms units; defaults to floor(first arrival / 64 ms).
    std::optional<int32_t> reference_time;
    // Report at least this many sequence numbers from base_seq: those after the last
    // received packet are reported lost (only when every received packet fits).
    std::optional<uint16_t> status_count;
    // Upper bound for the whole RTCP packet (header and padding included).
    size_t max_packet_size = 1200;
  };

  explicit TransportCcEncoder(size_t reserve = 512);

  // `received` must be strictly increasing in sequence number counted from base_seq (modulo
  // 2^16, so at most 65535 apart); arrival times may go backwards (reordering gives negative deltas). Writes
  // one packet and returns how many leading entries of `received` it covers: fewer than all when a delta does
  // not fit 16 bits, the status count would pass 65535, or the packet would pass max_packet_size. The caller
  // sends the rest in another feedback.
  base::Result<size_t, RtcpError> Encode(const Params& params, std::span<const TccReceived> received,
                                         base::ByteWriter& out);

 private:
  size_t FciSize(size_t symbol_count, size_t delta_bytes);
  template <typename Sink>
  static void EncodeChunks(std::span<const uint8_t> symbols, Sink&& sink);

  std::vector<uint8_t> symbols_;       // one status symbol per reported sequence number
  std::vector<int16_t> deltas_;        // one delta per received packet
  std::vector<uint32_t> symbol_end_;   // symbols_.size() after received packet i
  std::vector<uint32_t> delta_bytes_;  // delta bytes after received packet i
};

}  // namespace cascade::rtcp
