#pragma once
// Turns PLI/FIR from any number of receivers of one stream into at most one keyframe request
// upstream per interval (RFC 4585 §6.3.1, RFC 5104 §4.3.1): a sender asked twice within
// one interval would send two keyframes where one serves everybody. A request that comes
// while the interval runs is kept pending and goes out when it ends, so nobody is forgotten.
// A keyframe arriving serves every request made before it; while a request is in flight
// (sent, no keyframe yet) the next waits at least one upstream RTT and a margin, so a
// far-away sender is not asked again for a keyframe that is already on its way.
//
//   coalescer.OnRequest(now);                            // a receiver asked
//   if (coalescer.Due(now) && SendPli()) coalescer.OnSent(now);   // on requests and on a timer
#include <algorithm>
#include <cstdint>

namespace cascade::rtp {

class KeyframeRequestCoalescer {
 public:
  struct Counters {
    uint64_t requests = 0;  // OnRequest calls
    uint64_t sent = 0;      // OnSent calls
  };

  explicit KeyframeRequestCoalescer(uint64_t interval_us = 300'000) : interval_us_(interval_us) {}

  void OnRequest(uint64_t /*now_us*/) {
    pending_ = true;
    ++counters_.requests;
  }
  // A request is pending and the interval since the last one sent has passed (and, while
  // that one is in flight, the upstream RTT `rtt_us` plus a margin for the encoder).
  bool Due(uint64_t now_us, uint64_t rtt_us = 0) const {
    if (!pending_) return false;
    if (!sent_ || now_us < last_sent_us_) return true;
    uint64_t wait_us = interval_us_;
    if (in_flight_) wait_us = std::max(wait_us, rtt_us + kEncoderMarginUs);
    return now_us - last_sent_us_ >= wait_us;
  }
  // A keyframe of this stream arrived: it serves everyone who asked before it.
  void OnKeyframe() {
    pending_ = false;
    in_flight_ = false;
  }
  // The caller sent the request upstream (if sending failed it stays pending and Due).
  void OnSent(uint64_t now_us) {
    pending_ = false;
    sent_ = true;
    in_flight_ = true;
    last_sent_us_ = now_us;
    ++counters_.sent;
  }
  void Reset() {
    pending_ = false;
    sent_ = false;
    in_flight_ = false;
    last_sent_us_ = 0;
  }

  bool pending() const { return pending_; }
  uint64_t interval_us() const { return interval_us_; }
  const Counters& counters() const { return counters_; }

 private:
  static constexpr uint64_t kEncoderMarginUs = 100'000;
  uint64_t interval_us_;
  bool pending_ = false;
  bool in_flight_ = false;
  bool sent_ = false;
  uint64_t last_sent_us_ = 0;
  Counters counters_;
};

}  // namespace cascade::rtp
