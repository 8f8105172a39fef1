#pragma once
// Decides when to probe and how hard (a small part of libwebrtc's ProbeController). A probe
// is asked for by whoever needs more than the estimate (the layer selector before an
// up-switch, RequestProbe(needed)); it is granted when no cluster is in flight, the estimate
// has not dropped for `stable_us`, and the last probe is `interval` ago. The interval starts
// at `min_interval_us`, doubles after every failed probe (up to `max_interval_us`) and is
// reset by a success, so a viewer behind a hard cap is not probed every second forever. The
// rate is the need, but at most `max_probe_factor` × the estimate: a far target is reached
// in a few steps, each proven before the next.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace cascade::bwe {

// What the sender must send: packets marked probe (padding or RTX) at `bitrate_bps`, until
// both min_packets and min_bytes went out (about min_duration_us at that rate), then stop.
struct ProbeClusterSpec {
  int16_t id = 0;
  uint64_t bitrate_bps = 0;
  uint64_t min_duration_us = 0;
  size_t min_packets = 0;
  size_t min_bytes = 0;
};

class ProbeController {
 public:
  struct Options {
    uint64_t min_duration_us = 15'000;
    size_t min_packets = 5;
    double max_probe_factor = 2.0;
    uint64_t max_bps = 20'000'000;
    int64_t stable_us = 1'000'000;
    int64_t min_interval_us = 1'000'000;
    int64_t max_interval_us = 5'000'000;
    int64_t result_timeout_us = 1'000'000;  // no result by then: the probe failed
  };

  ProbeController() : ProbeController(Options{}) {}
  explicit ProbeController(Options options) : options_(options), interval_us_(options.min_interval_us) {}

  std::optional<ProbeClusterSpec> RequestProbe(uint64_t needed_bps, uint64_t estimate_bps, int64_t now_us);
  // The estimator's verdict on cluster `id`: success when it raised the estimate.
  void OnProbeResult(int16_t id, bool success);
  void OnEstimateDecreased(int64_t now_us) { last_decrease_us_ = now_us; }
  // The cluster probe packets belong to right now, if any (-1: none).
  int16_t active_cluster(int64_t now_us) const;

  uint64_t probes_started() const { return started_; }
  uint64_t probes_succeeded() const { return succeeded_; }
  uint64_t probes_failed() const { return failed_; }

 private:
  void ExpireInFlight(int64_t now_us);

  Options options_;
  int64_t interval_us_;
  int16_t next_id_ = 0;
  std::optional<ProbeClusterSpec> in_flight_;
  int64_t in_flight_since_us_ = 0;
  int64_t last_probe_us_ = INT64_MIN / 2;
  int64_t last_decrease_us_ = INT64_MIN / 2;
  uint64_t started_ = 0;
  uint64_t succeeded_ = 0;
  uint64_t failed_ = 0;
};

}  // namespace cascade::bwe
