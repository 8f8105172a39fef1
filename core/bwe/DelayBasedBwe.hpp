#pragma once
// The delay-based half of Google Congestion Control (draft-ietf-rmcat-gcc-02 §5): received
// packets in arrival order go through grouping (InterArrivalDelta), the delay trend
// (TrendlineEstimator) and the over-use detector; once per feedback the AIMD rate control
// turns the detector's state and the acknowledged bitrate into an estimate. A probe result
// above the estimate replaces it (libwebrtc's DelayBasedBwe does the same), unless the
// queue is growing.
#include <cstdint>
#include <optional>
#include <span>

#include "core/bwe/AimdRateControl.hpp"
#include "core/bwe/BweTypes.hpp"
#include "core/bwe/InterArrivalDelta.hpp"
#include "core/bwe/OveruseDetector.hpp"
#include "core/bwe/TrendlineEstimator.hpp"

namespace cascade::bwe {

class DelayBasedBwe {
 public:
  struct Options {
    AimdRateControl::Options rate;
    TrendlineEstimator::Options trendline;
    OveruseDetector::Options detector;
  };
  enum class Change : uint8_t { kNone, kIncrease, kDecrease, kProbe };

  DelayBasedBwe() : DelayBasedBwe(Options{}) {}
  explicit DelayBasedBwe(Options options);

  // One feedback's newly received packets, sorted by arrival. Returns how the estimate moved.
  Change OnFeedback(std::span<const PacketResult> received, std::optional<uint64_t> acknowledged_bps,
                    std::optional<uint64_t> probe_bps, int64_t now_us);
  void SetRtt(int64_t rtt_us) { rate_.SetRtt(rtt_us); }

  uint64_t estimate_bps() const { return rate_.estimate_bps(); }
  DelayState state() const { return detector_.state(); }
  const InterArrivalDelta& inter_arrival() const { return inter_arrival_; }
  const OveruseDetector& detector() const { return detector_; }
  const TrendlineEstimator& trendline() const { return trendline_; }
  uint64_t overuse_signals() const { return overuse_signals_; }

 private:
  InterArrivalDelta inter_arrival_;
  TrendlineEstimator trendline_;
  OveruseDetector detector_;
  AimdRateControl rate_;
  uint64_t overuse_signals_ = 0;  // groups the detector judged overusing
};

}  // namespace cascade::bwe
