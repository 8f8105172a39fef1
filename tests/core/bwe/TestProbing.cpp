// ProbeBitrateEstimator and ProbeController.
#include <doctest/doctest.h>

#include "core/bwe/ProbeBitrateEstimator.hpp"
#include "core/bwe/ProbeController.hpp"

using namespace cascade::bwe;

namespace {
PacketResult Probe(int16_t cluster, int i, int64_t send_spacing_us, int64_t arrival_spacing_us) {
  return {i, 1'000'000 + i * send_spacing_us, 50'000'000 + i * arrival_spacing_us, 1000, cluster};
}
}  // namespace

TEST_CASE("ProbeBitrateEstimator: the lower of send and receive rate, 95 % of receive when saturated") {
  ProbeBitrateEstimator estimator;
  estimator.OnClusterStarted(3, 5, 5000);
  std::optional<ProbeBitrateEstimator::Result> result;
  // Five 1000-byte packets 4 ms apart: 2 Mbit/s sent, arriving the same way.
  for (int i = 0; i < 5; ++i) {
    result = estimator.OnPacketReceived(Probe(3, i, 4000, 4000));
    if (i < 3) CHECK_FALSE(result);  // under 80 % of the packets
  }
  REQUIRE(result);
  CHECK(result->cluster == 3);
  CHECK(result->complete);
  CHECK(result->bps == 2'000'000);

  // Arriving 8 ms apart: the bottleneck gives 1 Mbit/s, under 90 % of what was sent.
  estimator.OnClusterStarted(4, 5, 5000);
  for (int i = 0; i < 5; ++i) result = estimator.OnPacketReceived(Probe(4, i, 4000, 8000));
  REQUIRE(result);
  CHECK(result->bps == 950'000);

  // Unknown clusters and media packets are ignored; arrivals all at once are noise.
  CHECK_FALSE(estimator.OnPacketReceived(Probe(9, 0, 4000, 4000)));
  CHECK_FALSE(estimator.OnPacketReceived(Probe(-1, 0, 4000, 4000)));
  estimator.OnClusterStarted(5, 5, 5000);
  for (int i = 0; i < 5; ++i) CHECK_FALSE(estimator.OnPacketReceived(Probe(5, i, 4000, 0)));
  CHECK(estimator.invalid_results() > 0);
}

TEST_CASE("ProbeController grants probes when needed, one at a time, backing off after failures") {
  ProbeController controller;
  const int64_t t0 = 10'000'000;
  CHECK_FALSE(controller.RequestProbe(500'000, 1'000'000, t0));  // not needed
  auto first = controller.RequestProbe(5'000'000, 1'000'000, t0);
  REQUIRE(first);
  CHECK(first->bitrate_bps == 2'000'000);  // at most 2 x the estimate
  CHECK(first->min_packets == 5);
  CHECK(first->min_bytes == 3750);  // 15 ms at 2 Mbit/s
  CHECK(controller.active_cluster(t0 + 1000) == first->id);
  CHECK_FALSE(controller.RequestProbe(5'000'000, 1'000'000, t0 + 500'000));  // one in flight
  // No result within 1 s: failed, and the interval doubled to 2 s.
  CHECK_FALSE(controller.RequestProbe(5'000'000, 1'000'000, t0 + 1'500'000));
  CHECK(controller.probes_failed() == 1);
  CHECK(controller.active_cluster(t0 + 1'500'000) == -1);
  auto second = controller.RequestProbe(5'000'000, 1'000'000, t0 + 2'000'001);
  REQUIRE(second);
  CHECK(second->id != first->id);
  controller.OnProbeResult(second->id, false);
  CHECK_FALSE(controller.RequestProbe(5'000'000, 1'000'000, t0 + 5'000'000));  // 4 s interval now
  auto third = controller.RequestProbe(5'000'000, 1'000'000, t0 + 6'000'001);
  REQUIRE(third);
  controller.OnProbeResult(third->id, true);
  CHECK(controller.probes_succeeded() == 1);
  // Success resets the interval to 1 s, but a decrease asks for a stable estimate first.
  controller.OnEstimateDecreased(t0 + 6'500'000);
  CHECK_FALSE(controller.RequestProbe(5'000'000, 1'000'000, t0 + 7'100'000));
  CHECK(controller.RequestProbe(5'000'000, 1'000'000, t0 + 7'600'000));
}
