#include "core/bwe/DelayBasedBwe.hpp"

namespace cascade::bwe {

DelayBasedBwe::DelayBasedBwe(Options options)
    : trendline_(options.trendline), detector_(options.detector), rate_(options.rate) {}

DelayBasedBwe::Change DelayBasedBwe::OnFeedback(std::span<const PacketResult> received,
                                                std::optional<uint64_t> acknowledged_bps,
                                                std::optional<uint64_t> probe_bps, int64_t now_us) {
  if (received.empty()) return Change::kNone;
  for (const PacketResult& packet : received) {
    auto deltas = inter_arrival_.OnPacket(packet.send_us, packet.arrival_us, now_us);
    if (!deltas) continue;
    const double send_delta_ms = static_cast<double>(deltas->send_delta_us) / 1000.0;
    const double trend = trendline_.Update(static_cast<double>(deltas->arrival_delta_us) / 1000.0,
                                           send_delta_ms, packet.arrival_us);
    if (detector_.Detect(trend, trendline_.num_deltas(), send_delta_ms, packet.arrival_us) ==
        DelayState::kOverusing) {
      ++overuse_signals_;
    }
  }

  const uint64_t before = rate_.estimate_bps();
  if (detector_.state() == DelayState::kOverusing) {
    if (acknowledged_bps) {
      if (rate_.TimeToReduceFurther(now_us, *acknowledged_bps))
        rate_.Update(DelayState::kOverusing, acknowledged_bps, now_us);
    } else if (rate_.TimeToReduceFurther(now_us, before)) {
      // Queue growing and nothing acknowledged to cut to (the first moments of a call):
      // halve, as libwebrtc does.
      rate_.SetEstimate(before / 2, now_us);
    }
  } else if (probe_bps && *probe_bps > before) {
    rate_.SetEstimate(*probe_bps, now_us);
    return rate_.estimate_bps() > before ? Change::kProbe : Change::kNone;
  } else {
    rate_.Update(detector_.state(), acknowledged_bps, now_us);
  }
  const uint64_t after = rate_.estimate_bps();
  if (after > before) return Change::kIncrease;
  if (after < before) return Change::kDecrease;
  return Change::kNone;
}

}  // namespace cascade::bwe
