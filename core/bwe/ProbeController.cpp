#include "core/bwe/ProbeController.hpp"

#include <algorithm>

namespace cascade::bwe {

void ProbeController::ExpireInFlight(int64_t now_us) {
  if (in_flight_ && now_us - in_flight_since_us_ >= options_.result_timeout_us) {
    OnProbeResult(in_flight_->id, false);
  }
}

int16_t ProbeController::active_cluster(int64_t now_us) const {
  if (!in_flight_ || now_us - in_flight_since_us_ >= options_.result_timeout_us) return -1;
  return in_flight_->id;
}

std::optional<ProbeClusterSpec> ProbeController::RequestProbe(uint64_t needed_bps, uint64_t estimate_bps,
                                                              int64_t now_us) {
  ExpireInFlight(now_us);
  if (in_flight_ || needed_bps <= estimate_bps) return std::nullopt;
  if (now_us - last_decrease_us_ < options_.stable_us) return std::nullopt;
  if (now_us - last_probe_us_ < interval_us_) return std::nullopt;
  const double cap = options_.max_probe_factor * static_cast<double>(estimate_bps);
  const uint64_t rate = std::min({needed_bps, static_cast<uint64_t>(cap), options_.max_bps});
  if (rate <= estimate_bps) return std::nullopt;

  ProbeClusterSpec spec;
  spec.id = next_id_;
  next_id_ = static_cast<int16_t>((next_id_ + 1) & 0x3fff);
  spec.bitrate_bps = rate;
  spec.min_duration_us = options_.min_duration_us;
  spec.min_packets = options_.min_packets;
  spec.min_bytes = static_cast<size_t>(rate * options_.min_duration_us / 8'000'000);
  in_flight_ = spec;
  in_flight_since_us_ = now_us;
  last_probe_us_ = now_us;
  ++started_;
  return spec;
}

void ProbeController::OnProbeResult(int16_t id, bool success) {
  if (!in_flight_ || in_flight_->id != id) return;
  in_flight_.reset();
  if (success) {
    ++succeeded_;
    interval_us_ = options_.min_interval_us;
  } else {
    ++failed_;
    interval_us_ = std::min(interval_us_ * 2, options_.max_interval_us);
  }
}

}  // namespace cascade::bwe
