#pragma once
// Matches transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) to
// the packets in a SendHistory: every newly reported packet becomes a PacketResult (send
// time, arrival time, size) or counts as lost. Each sequence number is used once: a packet
// reported again (duplicate or overlapping feedback) is skipped, except that one first
// reported lost and later received counts as received (it was late, not lost). Sequence
// numbers we never sent, or sent longer ago than the history keeps, are counted and ignored.
// Arrival times are put on one 64-bit receiver clock by unwrapping the 24-bit reference time
// (it wraps every 2^24 × 64 ms ≈ 12.4 days, and its sign bit half-way).
// Storage is kept between calls: steady state does not allocate.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/base/EnumCounters.hpp"
#include "core/bwe/BweTypes.hpp"
#include "core/bwe/SendHistory.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/TransportCc.hpp"
#include "core/rtcp/TransportCcDecoder.hpp"

namespace cascade::bwe {

class FeedbackMatcher {
 public:
  struct Counters {
    uint64_t feedbacks = 0;                         // decoded feedback packets
    uint64_t received = 0;                          // packets newly reported received
    uint64_t lost = 0;                              // packets newly reported lost
    uint64_t late = 0;                              // reported lost, then received in a later feedback
    uint64_t duplicates = 0;                        // reports for packets already reported
    uint64_t unknown_seq = 0;                       // sequence numbers we have no record of
    uint64_t expired_seq = 0;                       // records older than the history's max age
    base::EnumCounters<rtcp::RtcpError> malformed;  // feedback that did not decode, by reason
  };

  struct Batch {
    // Newly received packets, sorted by arrival time (then sequence number). Valid until the
    // next Match.
    std::span<const PacketResult> received;
    size_t lost = 0;                       // newly reported lost
    std::optional<int64_t> rtt_sample_us;  // now - send time of the newest received packet
  };

  // The result vectors keep the capacity of the largest feedback seen: no allocation once
  // warmed up, and a few KB per viewer instead of room for 512 packets each.
  explicit FeedbackMatcher(SendHistory& history, size_t reserve = 64);

  // nullopt when the feedback does not decode (counted in malformed).
  std::optional<Batch> Match(const rtcp::TransportCc& feedback, int64_t now_us);

  const Counters& counters() const { return counters_; }

 private:
  int64_t UnwrapReferenceUs(int32_t reference_time);

  SendHistory& history_;  // owned by the caller, outlives this
  rtcp::TransportCcDecoder decoder_;
  std::vector<PacketResult> received_;
  std::optional<int32_t> last_reference_;
  int64_t reference_units_ = 0;  // unwrapped, in 64 ms units
  Counters counters_;
};

}  // namespace cascade::bwe
