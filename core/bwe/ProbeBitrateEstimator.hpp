#pragma once
// Measures what a probe cluster got through (libwebrtc's ProbeBitrateEstimator): the send
// rate over the cluster's send times (bytes without the last packet) and the receive rate
// over its arrival times (bytes without the first), and keeps the lower. A receive rate under
// 90 % of the send rate means the probe hit the bottleneck: then 95 % of the receive rate.
// A cluster counts once 80 % of its packets and bytes were reported received; results whose
// intervals are empty, longer than 1 s, or that arrived more than twice as fast as sent are
// discarded as noise. A few clusters are tracked at once on a fixed ring.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bwe/BweTypes.hpp"

namespace cascade::bwe {

class ProbeBitrateEstimator {
 public:
  static constexpr size_t kClusters = 4;
  static constexpr double kMinReceivedRatio = 0.8;
  static constexpr int64_t kMaxIntervalUs = 1'000'000;
  static constexpr double kMaxReceiveToSendRatio = 2.0;
  static constexpr double kSaturatedRatio = 0.9;
  static constexpr double kSaturatedUtilization = 0.95;

  // A cluster the sender is about to send; results for its id before this are ignored.
  void OnClusterStarted(int16_t id, size_t min_packets, size_t min_bytes);
  struct Result {
    int16_t cluster = -1;
    uint64_t bps = 0;
    bool complete = false;  // every packet the cluster had to send was reported received
  };
  // A received packet of cluster packet.probe_cluster. Returns the cluster's measured rate
  // once it has enough packets (again, refined, for each further packet).
  std::optional<Result> OnPacketReceived(const PacketResult& packet);

  uint64_t invalid_results() const { return invalid_results_; }

 private:
  struct Cluster {
    int16_t id = -1;
    size_t min_packets = 0;
    size_t min_bytes = 0;
    size_t packets = 0;
    uint64_t bytes = 0;
    int64_t first_send_us = INT64_MAX, last_send_us = INT64_MIN;
    int64_t first_arrival_us = INT64_MAX, last_arrival_us = INT64_MIN;
    uint32_t last_send_bytes = 0, first_arrival_bytes = 0;
  };
  std::array<Cluster, kClusters> clusters_{};
  uint64_t invalid_results_ = 0;
};

}  // namespace cascade::bwe
