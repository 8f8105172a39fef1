#include "tools/sim/Simulator.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <queue>
#include <stdexcept>

#include "tools/sim/Histogram.hpp"
#include "topology/Rng.hpp"
#include "topology/TreeBuilder.hpp"

namespace cascade::sim {
namespace {

using topology::NodeId;
using topology::RegionId;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Regions whose every pair is known: drop the region with most gaps until none remain.
topology::LatencyMatrix CompleteSubset(const topology::LatencyMatrix& full,
                                       const std::vector<double>& weights, std::vector<double>& sub_weights) {
  std::vector<RegionId> keep(full.Size());
  std::iota(keep.begin(), keep.end(), RegionId{0});
  for (;;) {
    size_t worst = 0, worst_gaps = 0;
    for (size_t i = 0; i < keep.size(); ++i) {
      size_t gaps = 0;
      for (RegionId b : keep) gaps += std::isnan(full.RttMs(keep[i], b)) ? 1 : 0;
      if (gaps > worst_gaps) {
        worst_gaps = gaps;
        worst = i;
      }
    }
    if (worst_gaps == 0) break;
    keep.erase(keep.begin() + static_cast<std::ptrdiff_t>(worst));
  }
  std::vector<std::string> names;
  for (RegionId r : keep) names.push_back(full.Name(r));
  topology::LatencyMatrix sub(names);
  sub_weights.clear();
  for (size_t i = 0; i < keep.size(); ++i) {
    if (full.Coordinates(keep[i])) sub.SetCoordinates(static_cast<RegionId>(i), *full.Coordinates(keep[i]));
    sub_weights.push_back(keep[i] < weights.size() ? weights[keep[i]] : 0.0);
    for (size_t j = 0; j < keep.size(); ++j) {
      if (i != j)
        sub.SetRttMs(static_cast<RegionId>(i), static_cast<RegionId>(j), full.RttMs(keep[i], keep[j]));
    }
  }
  sub.FillMissing();
  return sub;
}

struct Arrival {
  float time_s;
  RegionId region;
};

struct Leave {
  double time_s;
  uint32_t viewer;
  bool operator>(const Leave& o) const { return time_s > o.time_s; }
};

constexpr uint32_t kNoEdge = UINT32_MAX;

}  // namespace

SimResult RunSimulation(const SimConfig& cfg, const topology::LatencyMatrix& full_latency,
                        const std::vector<double>& full_weights, const ProgressFn& progress) {
  const auto wall_start = Clock::now();
  SimResult res;
  std::vector<double> weights;
  const topology::LatencyMatrix latency = CompleteSubset(full_latency, full_weights, weights);
  const size_t regions = latency.Size();
  if (regions == 0) throw std::runtime_error("no region with a complete latency row");
  const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (weight_sum <= 0) throw std::runtime_error("region weights sum to zero");
  for (size_t r = 0; r < regions; ++r) {
    res.region_names.push_back(latency.Name(static_cast<RegionId>(r)));
    const auto& c = latency.Coordinates(static_cast<RegionId>(r));
    res.region_coords.emplace_back(c ? c->latitude_deg : NAN, c ? c->longitude_deg : NAN);
  }
  if (cfg.edges_per_region == 0) throw std::runtime_error("need at least one edge per region");
  const uint32_t streams = std::max<uint32_t>(1, cfg.publishers);

  // Nodes: edges then relays per region; edge state blocks are contiguous per region.
  topology::Topology topo(&latency, cfg.forward_ms);
  std::vector<std::vector<topology::NodeState>> edge_state(regions);
  std::vector<std::vector<NodeId>> edge_ids(regions);
  std::vector<uint32_t> edge_index;  // NodeId -> index in its region's block
  for (size_t r = 0; r < regions; ++r) {
    const auto region = static_cast<RegionId>(r);
    for (uint32_t i = 0; i < cfg.edges_per_region; ++i) {
      const NodeId id = topo.AddNode(region, topology::NodeRole::kEdge, cfg.edge_fanout);
      topology::NodeState s;
      s.id = id;
      s.region = region;
      s.capacity.users = cfg.edge_users;
      s.capacity.sessions = 1;  // one event: a node hosts it or not
      s.capacity.egress_bps = cfg.edge_egress_bps;
      edge_state[r].push_back(s);
      edge_ids[r].push_back(id);
      edge_index.resize(id + 1);
      edge_index[id] = i;
    }
    for (uint32_t i = 0; i < cfg.relays_per_region; ++i) {
      const NodeId id = topo.AddNode(region, topology::NodeRole::kRelay, cfg.relay_fanout);
      edge_index.resize(id + 1, kNoEdge);
    }
  }
  // Session thresholds are absolute here (capacity 1): an edge with the event always takes it.
  topology::FullThresholds thresholds = cfg.thresholds;
  thresholds.sessions = {1.01, 1.01};
  std::vector<bool> has_edges(regions, true);

  // Publishers at the first edge of the heaviest regions; each is one stream's origin.
  std::vector<RegionId> by_weight(regions);
  std::iota(by_weight.begin(), by_weight.end(), RegionId{0});
  std::stable_sort(by_weight.begin(), by_weight.end(),
                   [&](RegionId a, RegionId b) { return weights[a] > weights[b]; });
  topology::TreeOptions tree_options;
  tree_options.rebalance_moves = 0;
  const topology::TreeBuilder builder(&topo, tree_options);
  std::vector<topology::StreamTree> trees;
  std::vector<NodeId> origins;
  for (uint32_t s = 0; s < streams; ++s) {
    const RegionId r = by_weight[s % regions];
    const NodeId origin = edge_ids[r][(s / regions) % cfg.edges_per_region];
    origins.push_back(origin);
    auto built = builder.Build(origin, {});
    trees.push_back(std::move(built->tree));
  }
  const RegionId hub = topo.Node(origins[0]).region;  // star hub and first-in-room anchor
  topology::RoomRegions room;
  room.publisher = hub;
  if (!cfg.app_region.empty()) {
    const auto r = latency.Find(cfg.app_region);
    if (!r) throw std::runtime_error("unknown application region " + cfg.app_region);
    room.application = *r;
  }

  // Viewers: arrival time and home region, sorted by time; stays drawn at arrival.
  topology::Rng rng(cfg.seed);
  std::vector<double> cumulative(regions);
  std::partial_sum(weights.begin(), weights.end(), cumulative.begin());
  std::vector<Arrival> arrivals(cfg.viewers);
  for (auto& a : arrivals) {
    double t = 0;
    if (rng.Unit() < cfg.ramp_fraction) {
      do t = -cfg.ramp_s / 3 * std::log(1 - rng.Unit());
      while (t >= cfg.duration_s);
    } else {
      t = rng.Unit() * cfg.duration_s;
    }
    a.time_s = static_cast<float>(t);
    const double pick = rng.Unit() * weight_sum;
    a.region = static_cast<RegionId>(std::min<size_t>(
        regions - 1, static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), pick) -
                                         cumulative.begin())));
  }
  std::sort(arrivals.begin(), arrivals.end(),
            [](const Arrival& a, const Arrival& b) { return a.time_s < b.time_s; });
  std::vector<uint32_t> viewer_edge(cfg.viewers, kNoEdge);
  std::vector<uint8_t> single_accepted(cfg.viewers, 0);
  std::priority_queue<Leave, std::vector<Leave>, std::greater<>> leaves;

  // Per-strategy latency (origin -> viewer's region) and ratio to a direct link.
  enum { kTree, kStar, kMesh, kSingle, kStrategies };
  const char* names[kStrategies] = {"cascade-tree", "star", "full-mesh", "single-server"};
  std::vector<Histogram> lat_hist(kStrategies, Histogram(0.1, 1000));
  std::vector<Histogram> ratio_hist(kStrategies, Histogram(0.001, 20));
  Histogram edge_hist(0.1, 1000);
  res.hops.assign(16, 0);
  std::vector<uint64_t> rejected(kStrategies, 0);
  std::vector<double> peak_egress(kStrategies, 0), interdc_sum(kStrategies, 0), interdc_peak(kStrategies, 0);
  std::vector<uint64_t> links_at_peak(kStrategies, 0);

  std::optional<RegionId> single_region;  // the first viewer's region hosts the single server
  uint64_t single_users = 0;
  std::vector<uint64_t> single_by_region(regions, 0);
  uint64_t current = 0;
  std::vector<RegionId> ranked;
  topology::PickerState picker;
  picker.rng = topology::Rng(cfg.seed ^ 0x5EED);

  const auto direct_ms = [&](size_t s, RegionId to) {
    return latency.OneWayMs(topo.Node(origins[s]).region, to) + cfg.forward_ms;
  };
  const auto update_load = [&](NodeId e, int delta) {
    topology::NodeState& st = edge_state[topo.Node(e).region][edge_index[e]];
    st.load.users = static_cast<uint32_t>(static_cast<int64_t>(st.load.users) + delta);
    st.load.sessions = st.load.users > 0 ? 1 : 0;
    st.load.egress_bps = static_cast<double>(st.load.users) * streams * cfg.bitrate_bps;
    st.load.cpu = static_cast<double>(st.load.users) / cfg.edge_users * 0.9;
    for (auto& tree : trees) {
      if (tree.Linked(e)) tree.SetViewers(e, st.load.users);
    }
  };
  for (NodeId o : origins) update_load(o, 1);  // the publisher

  // Places one viewer (home region `home`); returns the edge or kNoEdge.
  const auto place = [&](RegionId home) -> uint32_t {
    const auto t0 = Clock::now();
    if (!room.first_user) room.first_user = home;
    topology::RankRegions(cfg.region_mode, room, home, latency, has_edges, ranked);
    uint32_t chosen = kNoEdge;
    for (RegionId r : ranked) {
      auto& block = edge_state[r];
      // An edge without the event yet is a new session for it; prefer edges that have it.
      auto pick = topology::PickNode(block, cfg.dc_policy, thresholds, topology::JoinKind::kNewUser, picker);
      if (!pick) continue;
      const NodeId e = block[*pick].id;
      if (block[*pick].load.users == 0) {
        bool ok = true;
        for (size_t s = 0; s < streams && ok; ++s) ok = static_cast<bool>(builder.AttachEdge(trees[s], e, 1));
        if (!ok) {
          for (auto& tree : trees) builder.DetachEdge(tree, e);
          continue;
        }
      }
      chosen = e;
      break;
    }
    res.placement_s += Seconds(Clock::now() - t0);
    ++res.placements;
    return chosen;
  };

  const auto record_join = [&](uint32_t v, RegionId home, NodeId e) {
    const RegionId er = topo.Node(e).region;
    const double access = latency.OneWayMs(er, home);
    for (size_t s = 0; s < streams; ++s) {
      const double direct = direct_ms(s, home);
      const double tree_ms = trees[s].LatencyMs(e) + access;
      const RegionId o = topo.Node(origins[s]).region;
      const double star_ms = (o == hub ? 0 : latency.OneWayMs(o, hub) + cfg.forward_ms) +
                             latency.OneWayMs(hub, er) + cfg.forward_ms + access;
      const double mesh_ms = latency.OneWayMs(o, er) + cfg.forward_ms + access;
      edge_hist.Add(trees[s].LatencyMs(e));
      res.hops[std::min<size_t>(res.hops.size() - 1, trees[s].Hops(e))]++;
      const double ms[3] = {tree_ms, star_ms, mesh_ms};
      for (int k = 0; k < 3; ++k) {
        lat_hist[k].Add(ms[k]);
        // Ratios only across regions: inside the origin's region the direct path is ~1 ms and
        // any hop would read as a large ratio of nothing.
        if (home != o) ratio_hist[k].Add(ms[k] / direct);
      }
    }
    // Single server in the first viewer's region, capacity of one edge.
    if (single_users < cfg.edge_users) {
      single_accepted[v] = 1;
      ++single_users;
      ++single_by_region[home];
      for (size_t s = 0; s < streams; ++s) {
        const RegionId o = topo.Node(origins[s]).region;
        const double ms = (o == *single_region ? 0 : latency.OneWayMs(o, *single_region) + cfg.forward_ms) +
                          cfg.forward_ms + latency.OneWayMs(*single_region, home);
        lat_hist[kSingle].Add(ms);
        if (home != o) ratio_hist[kSingle].Add(ms / direct_ms(s, home));
      }
    } else {
      ++rejected[kSingle];
    }
  };

  const auto viewer_leaves = [&](uint32_t v) {
    const uint32_t e = viewer_edge[v];
    if (single_accepted[v]) {
      single_accepted[v] = 0;
      --single_users;
      --single_by_region[arrivals[v].region];
    }
    if (e == kNoEdge) return;
    viewer_edge[v] = kNoEdge;
    --current;
    ++res.leaves;
    update_load(e, -1);
    if (edge_state[topo.Node(e).region][edge_index[e]].load.users == 0) {
      for (size_t s = 0; s < streams; ++s) builder.DetachEdge(trees[s], e);
    }
  };

  const auto sample = [&](double t) {
    SimSample smp;
    smp.time_s = t;
    smp.viewers = current;
    // Edges with viewers per region, for the baselines.
    std::vector<uint32_t> edges_in(regions, 0);
    uint32_t edges_total = 0;
    uint32_t max_edge_users = 0;
    for (size_t r = 0; r < regions; ++r) {
      for (const auto& st : edge_state[r]) {
        if (st.load.users > 0) {
          ++edges_in[r];
          ++edges_total;
          max_edge_users = std::max(max_edge_users, st.load.users);
        }
      }
    }
    double copies[kStrategies] = {0, 0, 0, 0};
    double node_copies[kStrategies] = {0, 0, 0, 0};
    uint64_t links[kStrategies] = {0, 0, 0, 0};
    std::vector<uint32_t> children(topo.NodeCount(), 0);
    std::vector<uint8_t> used(topo.NodeCount(), 0);
    for (size_t s = 0; s < streams; ++s) {
      const RegionId o = topo.Node(origins[s]).region;
      for (NodeId m : trees[s].Members()) {
        used[m] = 1;
        children[m] += static_cast<uint32_t>(trees[s].Children(m).size());
        if (m != trees[s].Origin()) ++links[kTree];
      }
      copies[kTree] += static_cast<double>(trees[s].InterRegionLinks());
      // Star: every edge pulls every stream from the hub; a remote publisher pushes to it.
      copies[kStar] += (o != hub ? 1 : 0) + edges_total - edges_in[hub];
      copies[kMesh] += edges_total - edges_in[o];
      copies[kSingle] += (o != *single_region ? 1 : 0) +
                         static_cast<double>(single_users - single_by_region[*single_region]);
      if (cfg.validate && res.invalid_tree.empty()) res.invalid_tree = trees[s].Validate();
    }
    links[kStar] = static_cast<uint64_t>(edges_total) * streams;
    links[kMesh] = static_cast<uint64_t>(edges_total) * (edges_total - 1) / 2;
    links[kSingle] = streams;
    for (size_t n = 0; n < topo.NodeCount(); ++n) {
      const auto id = static_cast<NodeId>(n);
      const bool relay = topo.Node(id).role == topology::NodeRole::kRelay;
      const uint32_t users = relay ? 0 : edge_state[topo.Node(id).region][edge_index[id]].load.users;
      const double c = children[n] + static_cast<double>(users) * streams;
      node_copies[kTree] = std::max(node_copies[kTree], c);
      if (used[n]) (relay ? smp.relays_used : smp.edges_used)++;
      if (c > 0) {
        res.load.push_back(
            NodeLoadRow{t, id, topo.Node(id).region, relay, users, children[n], c * cfg.bitrate_bps / 1e9});
      }
    }
    node_copies[kStar] = static_cast<double>(edges_total) * streams + max_edge_users * streams;
    node_copies[kMesh] = static_cast<double>(edges_total) + max_edge_users * streams;
    node_copies[kSingle] = static_cast<double>(single_users) * streams;
    for (int k = 0; k < kStrategies; ++k) {
      const double gbps = copies[k] * cfg.bitrate_bps / 1e9;
      smp.interdc_gbps[k] = gbps;
      interdc_sum[k] += gbps;
      if (gbps >= interdc_peak[k]) {
        interdc_peak[k] = gbps;
        links_at_peak[k] = links[k];
      }
      peak_egress[k] = std::max(peak_egress[k], node_copies[k] * cfg.bitrate_bps / 1e9);
    }
    res.peak_relays = std::max(res.peak_relays, smp.relays_used);
    res.peak_edges = std::max(res.peak_edges, smp.edges_used);
    res.samples.push_back(smp);
    for (size_t s = 0; s < streams; ++s)
      res.rebalance_moves += builder.Rebalance(trees[s], cfg.rebalance_moves, cfg.move_cost);
  };

  const auto resolve_failure = [&](const std::string& target) -> NodeId {
    const auto parts = [&] {
      std::vector<std::string> out(1);
      for (char c : target) {
        if (c == ':') {
          out.emplace_back();
        } else {
          out.back() += c;
        }
      }
      return out;
    }();
    const auto region = [&](const std::string& name) {
      const auto r = latency.Find(name);
      if (!r) throw std::runtime_error("failure target: unknown region " + name);
      return *r;
    };
    if (parts[0] == "node" && parts.size() == 2) return static_cast<NodeId>(std::stoul(parts[1]));
    if (parts[0] == "ingress" && parts.size() == 2) return trees[0].Ingress(region(parts[1]));
    if ((parts[0] == "relay" || parts[0] == "edge") && parts.size() == 3) {
      const RegionId r = region(parts[1]);
      const auto& list = parts[0] == "relay" ? topo.RelaysIn(r) : topo.EdgesIn(r);
      const size_t k = std::stoul(parts[2]);
      if (k >= list.size()) throw std::runtime_error("failure target out of range: " + target);
      return list[k];
    }
    throw std::runtime_error("bad failure target '" + target +
                             "' (ingress:<region>, relay:<region>:<k>, ...)");
  };

  std::vector<SimFailure> failures = cfg.failures;
  std::sort(failures.begin(), failures.end(),
            [](const auto& a, const auto& b) { return a.time_s < b.time_s; });
  const auto fail = [&](const SimFailure& f) {
    FailureStats fs;
    fs.time_s = f.time_s;
    fs.target = f.target;
    const NodeId n = resolve_failure(f.target);
    if (n == topology::kNoNode || n >= topo.NodeCount()) {
      fs.target += " (not in use)";
      res.failures.push_back(fs);
      return;
    }
    fs.node = n;
    const auto weights_now = trees[0].SubtreeViewers();
    fs.viewers_affected = trees[0].Contains(n) ? weights_now[n] : 0;
    topo.SetUp(n, false);
    if (edge_index[n] != kNoEdge) edge_state[topo.Node(n).region][edge_index[n]].up = false;
    const auto t0 = Clock::now();
    double worst_rtt = 0;
    for (size_t s = 0; s < streams; ++s) {
      const NodeId parent = trees[s].Parent(n);
      auto rep = builder.RepairAfterFailure(trees[s], n);
      if (!rep) {
        fs.target += std::string(" (") + topology::ToString(rep.error()) + ")";
        continue;
      }
      fs.links_changed += rep->links_changed;
      fs.edges_cut_off += rep->unreached.size();
      if (parent != topology::kNoNode)
        worst_rtt = std::max(worst_rtt, latency.RttMs(topo.Node(parent).region, topo.Node(n).region));
    }
    fs.compute_us = Seconds(Clock::now() - t0) * 1e6;
    // Detection, then the new links' ICE + DTLS handshakes (about two round trips).
    fs.reparent_ms = cfg.detect_ms + fs.compute_us / 1000 + 2 * worst_rtt;
    // Viewers on a failed edge (or on edges cut off) join again through placement.
    for (uint32_t v = 0; v < cfg.viewers; ++v) {
      const uint32_t e = viewer_edge[v];
      if (e == kNoEdge) continue;
      bool lost = e == n;
      for (size_t s = 0; s < streams && !lost; ++s) lost = !trees[s].Contains(e);
      if (!lost) continue;
      viewer_edge[v] = kNoEdge;
      update_load(e, -1);
      const uint32_t again = place(arrivals[v].region);
      if (again == kNoEdge) {
        --current;
        ++res.rejected;
        continue;
      }
      viewer_edge[v] = again;
      update_load(again, 1);
      ++fs.viewers_replaced;
    }
    for (size_t s = 0; s < streams; ++s) {
      for (size_t r = 0; r < regions; ++r) {
        for (auto& st : edge_state[r]) {
          if (st.load.users == 0 && trees[s].Linked(st.id)) builder.DetachEdge(trees[s], st.id);
        }
      }
    }
    res.failures.push_back(fs);
  };

  // The event loop.
  size_t next_arrival = 0, next_failure = 0;
  double next_sample = 0;
  const uint64_t total_events = cfg.viewers;
  uint64_t last_progress = 0;
  for (;;) {
    const double ta = next_arrival < arrivals.size() ? arrivals[next_arrival].time_s : INFINITY;
    const double tl = leaves.empty() ? INFINITY : leaves.top().time_s;
    const double tf = next_failure < failures.size() ? failures[next_failure].time_s : INFINITY;
    const double t = std::min({ta, tl, tf, next_sample});
    if (t > cfg.duration_s) break;
    if (t == next_sample) {
      sample(t);
      next_sample += cfg.sample_s;
    } else if (t == tf) {
      fail(failures[next_failure++]);
    } else if (t == tl) {
      viewer_leaves(leaves.top().viewer);
      leaves.pop();
    } else {
      const auto v = static_cast<uint32_t>(next_arrival++);
      const RegionId home = arrivals[v].region;
      if (!single_region) single_region = home;
      ++res.joins;
      const uint32_t e = place(home);
      if (e == kNoEdge) {
        ++res.rejected;
        ++rejected[kTree];
        ++rejected[kStar];
        ++rejected[kMesh];
        continue;
      }
      viewer_edge[v] = e;
      update_load(e, 1);
      ++current;
      res.peak_viewers = std::max(res.peak_viewers, current);
      record_join(v, home, e);
      const double stay = cfg.median_stay_s * std::exp(std::sqrt(-2 * std::log(1 - rng.Unit())) *
                                                       std::cos(2 * 3.141592653589793 * rng.Unit()));
      if (t + stay < cfg.duration_s) leaves.push(Leave{t + stay, v});
      if (progress && next_arrival * 100 / total_events != last_progress) {
        last_progress = next_arrival * 100 / total_events;
        progress(static_cast<double>(next_arrival) / static_cast<double>(total_events));
      }
    }
  }

  // Stream 0's final tree, region to region, for the map.
  for (NodeId m : trees[0].Members()) {
    if (m == trees[0].Origin()) continue;
    const RegionId a = topo.Node(trees[0].Parent(m)).region, b = topo.Node(m).region;
    if (a != b) res.final_tree.push_back(TreeLink{a, b, true});
  }
  const size_t n_samples = std::max<size_t>(1, res.samples.size());
  for (int k = 0; k < kStrategies; ++k) {
    StrategyStats st;
    st.name = names[k];
    st.p50_ms = lat_hist[k].Quantile(0.5);
    st.p95_ms = lat_hist[k].Quantile(0.95);
    st.p99_ms = lat_hist[k].Quantile(0.99);
    st.max_ms = lat_hist[k].Max();
    st.ratio_p50 = ratio_hist[k].Quantile(0.5);
    st.ratio_p95 = ratio_hist[k].Quantile(0.95);
    st.ratio_p99 = ratio_hist[k].Quantile(0.99);
    st.mean_interdc_gbps = interdc_sum[k] / static_cast<double>(n_samples);
    st.peak_interdc_gbps = interdc_peak[k];
    st.peak_node_egress_gbps = peak_egress[k];
    st.node_links = links_at_peak[k];
    st.rejected = rejected[k];
    for (int q = 0; q <= 100; ++q) st.cdf.emplace_back(lat_hist[k].Quantile(q / 100.0), q / 100.0);
    res.strategies.push_back(std::move(st));
  }
  res.edge_p50_ms = edge_hist.Quantile(0.5);
  res.edge_p95_ms = edge_hist.Quantile(0.95);
  res.edge_p99_ms = edge_hist.Quantile(0.99);
  res.wall_s = Seconds(Clock::now() - wall_start);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  res.peak_rss_kb = ru.ru_maxrss;
  return res;
}

}  // namespace cascade::sim
