#include <doctest/doctest.h>

#include "tools/sim/LatencyLoader.hpp"
#include "tools/sim/Simulator.hpp"

using namespace cascade;

namespace {

const sim::StrategyStats& Find(const sim::SimResult& r, const std::string& name) {
  for (const auto& s : r.strategies) {
    if (s.name == name) return s;
  }
  FAIL("no strategy " << name);
  return r.strategies.front();
}

}  // namespace

// Regression at 100,000 viewers on the GCP matrix: the tree must beat each baseline on the
// metric that baseline is worst at, and lose little on the others.
TEST_CASE("Simulator at 100,000 viewers: tree against star, full mesh and single server") {
  const auto files = sim::DatasetPaths(CASCADE_SIM_DATA_DIR, "gcp");
  const auto latency = sim::LoadLatencyMatrix(files.matrix, files.coords);
  const auto weights = sim::LoadRegionWeights(files.weights, latency);
  sim::SimConfig cfg;
  cfg.viewers = 100000;
  cfg.duration_s = 900;
  cfg.validate = true;
  cfg.failures = {{300, "ingress:europe-west2"}, {450, "relay:us-east1:0"}, {600, "edge:asia-east1:0"}};
  const sim::SimResult r = sim::RunSimulation(cfg, latency, weights);

  CHECK(r.invalid_tree == "");
  CHECK(r.joins == 100000);
  CHECK(r.rejected == 0);
  CHECK(r.region_names.size() == 20);
  const auto& tree = Find(r, "cascade-tree");
  const auto& star = Find(r, "star");
  const auto& mesh = Find(r, "full-mesh");
  const auto& single = Find(r, "single-server");
  // Star and mesh are worst at inter-DC bandwidth: every edge pulls its own copy.
  CHECK(tree.mean_interdc_gbps * 4 < star.mean_interdc_gbps);
  CHECK(tree.mean_interdc_gbps * 4 < mesh.mean_interdc_gbps);
  // The full mesh's other weakness: connections grow with the square of the edges.
  CHECK(tree.node_links * 20 < mesh.node_links);
  // Single server: rejects most joins and hauls every remote viewer across regions.
  CHECK(single.rejected > 50000);
  CHECK(tree.mean_interdc_gbps * 50 < single.mean_interdc_gbps);
  // And the tree does not lose badly on latency: within 10% of a direct link at p50 and p95.
  CHECK(tree.ratio_p50 < 1.1);
  CHECK(tree.ratio_p95 < 1.1);
  CHECK(tree.ratio_p99 < 1.15);
  CHECK(tree.p95_ms < star.p95_ms * 1.1);
  CHECK(tree.p99_ms < single.p99_ms);
  // Failures re-parent in detection time plus a few round trips, cutting nobody off.
  REQUIRE(r.failures.size() == 3);
  for (const auto& f : r.failures) {
    CAPTURE(f.target);
    CHECK(f.edges_cut_off == (f.target.rfind("edge:", 0) == 0 ? 1u : 0u));  // only a failed edge itself
    CHECK(f.reparent_ms < cfg.detect_ms + 1000);
  }
  CHECK(r.failures[0].viewers_affected > 0);
  CHECK(r.failures[2].viewers_replaced > 0);  // viewers of the failed edge joined again
}

TEST_CASE("Simulator is deterministic for a seed and runs every region mode and policy") {
  const auto files = sim::DatasetPaths(CASCADE_SIM_DATA_DIR, "gcp");
  const auto latency = sim::LoadLatencyMatrix(files.matrix, files.coords);
  const auto weights = sim::LoadRegionWeights(files.weights, latency);
  sim::SimConfig cfg;
  cfg.viewers = 5000;
  cfg.duration_s = 300;
  cfg.validate = true;
  cfg.app_region = "us-east1";
  for (uint8_t m = 0; m < static_cast<uint8_t>(topology::RegionMode::kCount); ++m) {
    for (uint8_t p = 0; p < static_cast<uint8_t>(topology::DcPolicy::kCount); ++p) {
      cfg.region_mode = static_cast<topology::RegionMode>(m);
      cfg.dc_policy = static_cast<topology::DcPolicy>(p);
      CAPTURE(topology::ToString(cfg.region_mode));
      CAPTURE(topology::ToString(cfg.dc_policy));
      const auto a = sim::RunSimulation(cfg, latency, weights);
      CHECK(a.invalid_tree == "");
      CHECK(a.joins == 5000);
      if (cfg.region_mode != topology::RegionMode::kCascading) {
        // Everyone is anchored to one region: a single inter-region hop at most for the tree.
        CHECK(a.peak_edges <= 8 + 1);
      }
      const auto b = sim::RunSimulation(cfg, latency, weights);
      CHECK(a.strategies[0].p95_ms == b.strategies[0].p95_ms);
      CHECK(a.leaves == b.leaves);
    }
  }
}
