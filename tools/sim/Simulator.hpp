#pragma once
// Discrete-event simulation of one live event: viewers arrive by a flash-crowd join curve,
// stay for heavy-tailed durations, are spread over regions by weight and placed by the
// topology placement functions; each stream's tree is grown and repaired incrementally by
// topology::TreeBuilder, exactly as control would. Baselines (star, full mesh of edges,
// single server first-in-room) are evaluated on the same viewers in the same run.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "topology/Fullness.hpp"
#include "topology/LatencyMatrix.hpp"
#include "topology/NodePicker.hpp"
#include "topology/RegionSelector.hpp"

namespace cascade::sim {

struct SimFailure {
  double time_s = 0;
  // "ingress:<region>" (the relay through which stream 0 enters that region at that time),
  // "relay:<region>:<k>", "edge:<region>:<k>" or "node:<id>".
  std::string target;
};

struct SimConfig {
  uint64_t viewers = 100000;    // arrivals over the whole event
  double duration_s = 1800;     // simulated event length
  double ramp_s = 120;          // flash crowd: ramp_fraction arrive with mean ramp_s / 3
  double ramp_fraction = 0.8;   // the rest arrive uniformly over the event
  double median_stay_s = 1200;  // log-normal stay, sigma 1 (heavy tail, Akamai IMC'04)
  uint64_t seed = 1;
  uint32_t publishers = 1;  // one stream each, origins in the heaviest regions
  topology::RegionMode region_mode = topology::RegionMode::kCascading;
  topology::DcPolicy dc_policy = topology::DcPolicy::kLeastUsed;
  topology::FullThresholds thresholds;
  std::string app_region;  // for RegionMode::kApplicationSpecific
  uint32_t edges_per_region = 8;
  uint32_t relays_per_region = 3;
  uint32_t edge_users = 5000;  // viewer capacity of one edge
  uint32_t edge_fanout = 8;    // children an origin edge may feed
  uint32_t relay_fanout = 16;  // children a relay may feed per stream
  double bitrate_bps = 2.5e6;
  double edge_egress_bps = 20e9;
  double forward_ms = 0.5;  // per-hop forwarding cost
  double detect_ms = 2000;  // failure detection (missed heartbeats)
  double sample_s = 10;
  size_t rebalance_moves = 8;  // per sample interval
  double move_cost = 1000;     // viewer-ms a rebalance move must save
  std::vector<SimFailure> failures;
  bool validate = false;  // check every tree invariant at each sample (tests)
};

struct StrategyStats {
  std::string name;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
  double ratio_p50 = 0, ratio_p95 = 0, ratio_p99 = 0;
  double mean_interdc_gbps = 0, peak_interdc_gbps = 0;
  double peak_node_egress_gbps = 0;
  uint64_t node_links = 0;  // node-to-node connections at the peak
  uint64_t rejected = 0;
  std::vector<std::pair<double, double>> cdf;  // (ms, fraction) for plots
};

struct FailureStats {
  double time_s = 0;
  std::string target;
  uint32_t node = 0;
  size_t links_changed = 0;
  uint64_t viewers_affected = 0;
  uint64_t viewers_replaced = 0;
  size_t edges_cut_off = 0;
  double compute_us = 0;
  double reparent_ms = 0;
};

struct SimSample {
  double time_s = 0;
  uint64_t viewers = 0;
  double interdc_gbps[4] = {0, 0, 0, 0};  // tree, star, mesh, single
  uint32_t relays_used = 0, edges_used = 0;
};

struct NodeLoadRow {
  double time_s;
  uint32_t node;
  uint16_t region;
  bool relay;
  uint32_t viewers;
  uint32_t children;
  double egress_gbps;
};

struct TreeLink {
  uint16_t parent_region, child_region;
  bool inter_region;
};

struct SimResult {
  std::vector<std::string> region_names;
  std::vector<std::pair<double, double>> region_coords;      // lat, lon (NaN when unknown)
  std::vector<StrategyStats> strategies;                     // tree, star, mesh, single
  double edge_p50_ms = 0, edge_p95_ms = 0, edge_p99_ms = 0;  // origin -> viewer's edge (tree)
  std::vector<uint64_t> hops;                                // viewers by hop count
  uint64_t joins = 0, leaves = 0, rejected = 0, peak_viewers = 0;
  uint32_t peak_relays = 0, peak_edges = 0;
  size_t rebalance_moves = 0;
  std::vector<FailureStats> failures;
  std::vector<SimSample> samples;
  std::vector<NodeLoadRow> load;
  std::vector<TreeLink> final_tree;  // stream 0 at the end
  std::string invalid_tree;          // first invariant broken (validate mode)
  double wall_s = 0;
  double placement_s = 0;  // time inside region ranking + node picking
  uint64_t placements = 0;
  long peak_rss_kb = 0;
};

using ProgressFn = std::function<void(double fraction)>;

// Runs the event over `latency` (regions with any missing pair are left out) with viewers
// spread by `weights` (one per matrix region). Throws std::runtime_error on bad configuration.
SimResult RunSimulation(const SimConfig& config, const topology::LatencyMatrix& latency,
                        const std::vector<double>& weights, const ProgressFn& progress = {});

}  // namespace cascade::sim
