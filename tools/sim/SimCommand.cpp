#include "tools/sim/SimCommand.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "tools/sim/CsvReader.hpp"
#include "tools/sim/GeoIpResolver.hpp"
#include "tools/sim/LatencyLoader.hpp"
#include "tools/sim/SimReport.hpp"
#include "tools/sim/Simulator.hpp"
#include "tools/sim/TreeBench.hpp"
#include "topology/CidrTable.hpp"
#include "topology/io/CidrTableLoader.hpp"

#ifndef CASCADE_SIM_DATA_DIR
#define CASCADE_SIM_DATA_DIR "data"
#endif

namespace cascade::sim {
namespace {

struct SimOptions {
  SimConfig config;
  std::string data_dir = CASCADE_SIM_DATA_DIR;
  std::string dataset = "gcp";
  std::string out_dir;
  std::string region_mode = "cascading";
  std::string dc_policy = "least-used";
  std::vector<std::string> failures;
  bool bench = false;
  bool quiet = false;
  std::string locate;
  std::string cidr_file;
  std::string mmdb_file;
};

int Locate(const SimOptions& o, const topology::LatencyMatrix& latency) {
  if (!o.mmdb_file.empty()) {
    std::string error;
    auto geo = GeoIpResolver::Open(o.mmdb_file, error);
    if (!geo) throw std::runtime_error(error);
    const auto where = geo->Locate(o.locate);
    if (!where) throw std::runtime_error("no location for " + o.locate + " in " + o.mmdb_file);
    std::cout << o.locate << " -> " << latency.Name(topology::NearestRegionTo(latency, *where)) << "\n";
    return 0;
  }
  if (o.cidr_file.empty()) throw std::runtime_error("--locate needs --cidr FILE or --mmdb FILE");
  const topology::CidrTable table = topology::io::LoadCidrTable(o.cidr_file, latency);
  const auto r = table.Lookup(o.locate);
  std::cout << o.locate << " -> " << (r ? latency.Name(*r) : std::string("(no match)")) << "\n";
  return r ? 0 : 1;
}

void Run(const SimOptions& o) {
  const DatasetFiles files = DatasetPaths(o.data_dir, o.dataset);
  const topology::LatencyMatrix latency = LoadLatencyMatrix(files.matrix, files.coords);
  if (!o.locate.empty()) {
    Locate(o, latency);
    return;
  }
  if (o.bench) {
    RunTreeBench(latency, std::cout);
    return;
  }
  SimConfig cfg = o.config;
  const auto mode = topology::ParseRegionMode(o.region_mode.c_str());
  if (!mode) throw std::runtime_error("unknown --region-mode " + o.region_mode);
  cfg.region_mode = *mode;
  const auto policy = topology::ParseDcPolicy(o.dc_policy.c_str());
  if (!policy) throw std::runtime_error("unknown --dc-policy " + o.dc_policy);
  cfg.dc_policy = *policy;
  for (const std::string& f : o.failures) {
    const size_t at = f.find('@');
    if (at == std::string::npos) throw std::runtime_error("--fail wants TARGET@SECONDS, got " + f);
    cfg.failures.push_back(SimFailure{std::stod(f.substr(at + 1)), f.substr(0, at)});
  }
  const std::vector<double> weights = LoadRegionWeights(files.weights, latency);
  ProgressFn progress;
  if (!o.quiet) {
    progress = [](double f) {
      const int done = static_cast<int>(f * 40);
      std::cerr << "\r[" << std::string(static_cast<size_t>(done), '#')
                << std::string(static_cast<size_t>(40 - done), ' ') << "] " << static_cast<int>(f * 100)
                << "% of arrivals" << std::flush;
    };
  }
  const SimResult result = RunSimulation(cfg, latency, weights, progress);
  if (!o.quiet) std::cerr << "\n";
  PrintSummary(result, std::cout);
  if (!result.invalid_tree.empty()) std::cout << "INVALID TREE: " << result.invalid_tree << "\n";
  if (!o.out_dir.empty()) {
    WriteReport(result, o.out_dir);
    std::cout << "wrote CSV and SVG files to " << o.out_dir << "\n";
  }
}

}  // namespace

void AddSimCommand(CLI::App& app) {
  auto o = std::make_shared<SimOptions>();
  CLI::App* sim = app.add_subcommand("sim", "Simulate a live event on real inter-region latencies");
  SimConfig& c = o->config;
  sim->add_option("--data", o->data_dir, "Data folder holding latency/")->capture_default_str();
  sim->add_option("--dataset", o->dataset, "Latency data set: gcp (20 regions) or azure")
      ->capture_default_str();
  sim->add_option("-n,--viewers", c.viewers, "Viewer arrivals")->capture_default_str();
  sim->add_option("--duration", c.duration_s, "Event length, s")->capture_default_str();
  sim->add_option("--ramp", c.ramp_s, "Flash-crowd length, s")->capture_default_str();
  sim->add_option("--ramp-fraction", c.ramp_fraction, "Share of viewers in the flash crowd")
      ->capture_default_str();
  sim->add_option("--stay", c.median_stay_s, "Median stay, s (log-normal)")->capture_default_str();
  sim->add_option("--seed", c.seed, "Random seed")->capture_default_str();
  sim->add_option("--publishers", c.publishers, "Streams (one publisher each)")->capture_default_str();
  sim->add_option("--region-mode", o->region_mode, "first-in-room, application, cascading, sender-decides")
      ->capture_default_str();
  sim->add_option("--app-region", c.app_region, "Region named by the application (mode application)");
  sim->add_option("--dc-policy", o->dc_policy, "packing, least-used, round-robin, random")
      ->capture_default_str();
  sim->add_option("--edges", c.edges_per_region, "Edges per region")->capture_default_str();
  sim->add_option("--relays", c.relays_per_region, "Relays per region")->capture_default_str();
  sim->add_option("--edge-users", c.edge_users, "Viewers one edge holds")->capture_default_str();
  sim->add_option("--relay-fanout", c.relay_fanout, "Children per relay per stream")->capture_default_str();
  sim->add_option("--edge-fanout", c.edge_fanout, "Children of an origin edge")->capture_default_str();
  sim->add_option("--bitrate", c.bitrate_bps, "Stream bitrate, bit/s")->capture_default_str();
  sim->add_option("--forward-ms", c.forward_ms, "Forwarding delay per hop, ms")->capture_default_str();
  sim->add_option("--detect-ms", c.detect_ms, "Failure detection time, ms")->capture_default_str();
  sim->add_option("--sample", c.sample_s, "Sampling interval, s")->capture_default_str();
  sim->add_option("--users-threshold", c.thresholds.users.no_new_users,
                  "Users fraction above which an edge is full")
      ->capture_default_str();
  sim->add_option("--fail", o->failures,
                  "TARGET@SECONDS, TARGET = ingress:<region>, relay:<region>:<k>, ...");
  sim->add_option("--out", o->out_dir, "Write CSV and SVG here");
  sim->add_flag("--validate", c.validate, "Check tree invariants at every sample");
  sim->add_flag("--bench", o->bench, "Time tree building and placement instead of simulating");
  sim->add_flag("-q,--quiet", o->quiet, "No progress bar");
  sim->add_option("--locate", o->locate, "Print the region of this client address and exit");
  sim->add_option("--cidr", o->cidr_file, "CSV of cidr,region for --locate");
  sim->add_option("--mmdb", o->mmdb_file, "MaxMind GeoIP2/GeoLite2 .mmdb for --locate");
  sim->callback([o] { Run(*o); });
}

}  // namespace cascade::sim
