#include "core/bwe/ProbeBitrateEstimator.hpp"

#include <algorithm>

namespace cascade::bwe {

void ProbeBitrateEstimator::OnClusterStarted(int16_t id, size_t min_packets, size_t min_bytes) {
  if (id < 0) return;
  Cluster& cluster = clusters_[static_cast<size_t>(id) % kClusters];
  cluster = {};
  cluster.id = id;
  cluster.min_packets = min_packets;
  cluster.min_bytes = min_bytes;
}

std::optional<ProbeBitrateEstimator::Result> ProbeBitrateEstimator::OnPacketReceived(
    const PacketResult& packet) {
  if (packet.probe_cluster < 0) return std::nullopt;
  Cluster& c = clusters_[static_cast<size_t>(packet.probe_cluster) % kClusters];
  if (c.id != packet.probe_cluster) return std::nullopt;
  if (packet.send_us < c.first_send_us) c.first_send_us = packet.send_us;
  if (packet.send_us > c.last_send_us) {
    c.last_send_us = packet.send_us;
    c.last_send_bytes = packet.bytes;
  }
  if (packet.arrival_us < c.first_arrival_us) {
    c.first_arrival_us = packet.arrival_us;
    c.first_arrival_bytes = packet.bytes;
  }
  if (packet.arrival_us > c.last_arrival_us) c.last_arrival_us = packet.arrival_us;
  ++c.packets;
  c.bytes += packet.bytes;

  if (static_cast<double>(c.packets) < kMinReceivedRatio * static_cast<double>(c.min_packets) ||
      static_cast<double>(c.bytes) < kMinReceivedRatio * static_cast<double>(c.min_bytes)) {
    return std::nullopt;
  }
  const int64_t send_interval = c.last_send_us - c.first_send_us;
  const int64_t receive_interval = c.last_arrival_us - c.first_arrival_us;
  if (send_interval <= 0 || send_interval > kMaxIntervalUs || receive_interval <= 0 ||
      receive_interval > kMaxIntervalUs) {
    ++invalid_results_;
    return std::nullopt;
  }
  const double send_bps =
      static_cast<double>(c.bytes - c.last_send_bytes) * 8e6 / static_cast<double>(send_interval);
  const double receive_bps =
      static_cast<double>(c.bytes - c.first_arrival_bytes) * 8e6 / static_cast<double>(receive_interval);
  if (receive_bps > kMaxReceiveToSendRatio * send_bps) {
    ++invalid_results_;
    return std::nullopt;
  }
  double result = std::min(send_bps, receive_bps);
  if (receive_bps < kSaturatedRatio * send_bps) result = kSaturatedUtilization * receive_bps;
  return Result{c.id, static_cast<uint64_t>(result), c.packets >= c.min_packets && c.bytes >= c.min_bytes};
}

}  // namespace cascade::bwe
