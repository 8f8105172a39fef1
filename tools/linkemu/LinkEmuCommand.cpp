#include "tools/linkemu/LinkEmuCommand.hpp"

#include <signal.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/base/Log.hpp"
#include "core/net/HttpServer.hpp"
#include "tools/linkemu/LinkEmulator.hpp"
#include "tools/sim/LatencyLoader.hpp"

namespace cascade::linkemu {
namespace {

struct CommandOptions {
  std::string listen;
  std::string to;
  std::string http;
  double delay_ms = 0;
  double jitter_ms = 0;
  std::string jitter_distribution = "uniform";
  double loss = 0;
  std::string burst;  // p_gb,p_bg,loss_bad
  double rate_kbps = 0;
  double queue_ms = 100;
  uint32_t queue_packets = 0;
  double duplicate = 0;
  bool allow_reorder = false;
  uint64_t seed = 1;
  std::string config;
  std::string matrix;
  std::string from_region;
  std::string to_region;
  double duration_s = 0;
  size_t hold_packets = 16384;
  size_t max_peers = 16;
};

net::SocketAddress ParseAddress(const std::string& text, const char* what) {
  auto address = net::SocketAddress::ParseHostPort(text);
  if (!address) throw std::runtime_error(std::string(what) + ": expected IP:PORT, got '" + text + "'");
  return *address;
}

// Flags describe both directions; --config and the matrix come on top.
LinkParams SymmetricParams(const CommandOptions& o) {
  nlohmann::json j = {{"delay_ms", o.delay_ms},
                      {"jitter_ms", o.jitter_ms},
                      {"jitter_distribution", o.jitter_distribution},
                      {"loss", o.loss},
                      {"rate_kbps", o.rate_kbps},
                      {"queue_ms", o.queue_ms},
                      {"queue_packets", o.queue_packets},
                      {"duplicate", o.duplicate},
                      {"allow_reorder", o.allow_reorder}};
  if (!o.burst.empty()) {
    double p[3] = {0, 0, 0};
    char comma1 = 0, comma2 = 0;
    std::istringstream in(o.burst);
    if (!(in >> p[0] >> comma1 >> p[1] >> comma2 >> p[2]) || comma1 != ',' || comma2 != ',' || !in.eof())
      throw std::runtime_error("--burst: expected p_good_to_bad,p_bad_to_good,loss_in_bad, got '" + o.burst +
                               "'");
    j["burst_p_good_to_bad"] = p[0];
    j["burst_p_bad_to_good"] = p[1];
    j["burst_loss_in_bad"] = p[2];
  }
  LinkParams params;
  ApplyParamsJson(j, params);
  return params;
}

void Run(const CommandOptions& o) {
  LinkEmulator::Options options;
  options.listen = ParseAddress(o.listen, "--listen");
  options.target = ParseAddress(o.to, "--to");
  options.seed = o.seed;
  options.hold_packets = o.hold_packets;
  options.max_peers = o.max_peers;
  options.a_to_b = SymmetricParams(o);
  options.b_to_a = options.a_to_b;
  if (!o.matrix.empty()) {
    if (o.from_region.empty() || o.to_region.empty())
      throw std::runtime_error("--delay-from-matrix needs --from and --to-region");
    const topology::LatencyMatrix m = sim::LoadLatencyMatrix(o.matrix, "");
    const auto from = m.Find(o.from_region), to = m.Find(o.to_region);
    if (!from) throw std::runtime_error("--from: region '" + o.from_region + "' is not in " + o.matrix);
    if (!to) throw std::runtime_error("--to-region: region '" + o.to_region + "' is not in " + o.matrix);
    // The matrix is directional (some published ones are slightly asymmetric).
    options.a_to_b.delay_ms = m.OneWayMs(*from, *to);
    options.b_to_a.delay_ms = m.OneWayMs(*to, *from);
    if (std::isnan(options.a_to_b.delay_ms) || std::isnan(options.b_to_a.delay_ms))
      throw std::runtime_error("no RTT between those regions in " + o.matrix);
  }

  net::Loop loop;
  LinkEmulator emulator(loop, options);
  if (!o.config.empty()) {
    std::ifstream in(o.config);
    if (!in) throw std::runtime_error("cannot read " + o.config);
    const auto body = nlohmann::json::parse(in, nullptr, false);
    if (body.is_discarded()) throw std::runtime_error(o.config + ": not JSON");
    try {
      emulator.ApplyJson(body);
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(o.config + ": " + error.what());
    }
  }
  base::MetricsRegistry metrics;
  emulator.RegisterMetrics(metrics);
  std::unique_ptr<net::HttpServer> http;
  if (!o.http.empty()) {
    http = std::make_unique<net::HttpServer>(loop, ParseAddress(o.http, "--http"));
    emulator.AddRoutes(http->router(), metrics);
    http->RegisterMetrics(metrics, {});
  }
  LOG_INFO("linkemu.started", {"listen", emulator.listen_address().ToString()},
           {"target", options.target.ToString()}, {"http", http ? http->local_address().ToString() : "off"},
           {"a_to_b", ParamsToJson(emulator.model(Direction::kAToB).params()).dump()},
           {"b_to_a", ParamsToJson(emulator.model(Direction::kBToA).params()).dump()});

  uv_signal_t signals[2];
  const int numbers[2] = {SIGINT, SIGTERM};
  for (int i = 0; i < 2; ++i) {
    uv_signal_init(loop.raw(), &signals[i]);
    signals[i].data = &loop;
    uv_signal_start(
        &signals[i], [](uv_signal_t* h, int) { static_cast<net::Loop*>(h->data)->Stop(); }, numbers[i]);
  }
  net::Timer stop(loop, [&loop] { loop.Stop(); });
  if (o.duration_s > 0) stop.Start(static_cast<uint64_t>(o.duration_s * 1000));
  loop.Run();
  for (auto& s : signals) uv_close(reinterpret_cast<uv_handle_t*>(&s), nullptr);
  loop.RunOnce();  // lets the signal handles close before they go out of scope
  std::cout << emulator.StateJson().dump(2) << "\n";
}

}  // namespace

void AddLinkEmuCommand(CLI::App& app) {
  auto o = std::make_shared<CommandOptions>();
  auto* cmd = app.add_subcommand(
      "linkemu",
      "userspace UDP link emulator: a transparent proxy from --listen to --to that adds delay, jitter, "
      "loss,\n"
      "burst loss, a rate cap and duplicates. The impairment flags apply to both directions; for an\n"
      "asymmetric link pass --config FILE with the PUT /link body, e.g.\n"
      "  {\"a_to_b\": {\"delay_ms\": 40, \"loss\": 0.01}, \"b_to_a\": {\"rate_bps\": 2000000}}\n"
      "(a_to_b = from the clients that send to --listen towards --to; \"both\" sets the two).\n"
      "With --http, GET /link shows parameters and counters, PUT /link changes them at runtime,\n"
      "GET /metrics serves Prometheus text. Prints the final GET /link JSON on exit.");
  cmd->add_option("--listen", o->listen, "UDP address clients send to (side A), IP:PORT")->required();
  cmd->add_option("--to", o->to, "UDP address packets are forwarded to (side B), IP:PORT")->required();
  cmd->add_option("--http", o->http, "HTTP API address IP:PORT (GET/PUT /link, GET /metrics); off if unset");
  cmd->add_option("--delay-ms", o->delay_ms, "one-way delay per direction")->check(CLI::Range(0.0, 60000.0));
  cmd->add_option("--jitter-ms", o->jitter_ms, "jitter: ±J uniform, or σ for normal")
      ->check(CLI::Range(0.0, 60000.0));
  cmd->add_option("--jitter-dist", o->jitter_distribution, "uniform|normal")
      ->check(CLI::IsMember({"uniform", "normal"}));
  cmd->add_flag("--allow-reorder", o->allow_reorder, "let jitter reorder packets (default: keep order)");
  cmd->add_option("--loss", o->loss, "random loss probability, e.g. 0.02")->check(CLI::Range(0.0, 1.0));
  cmd->add_option(
      "--burst", o->burst,
      "Gilbert-Elliott burst loss p_good_to_bad,p_bad_to_good,loss_in_bad (mean burst 1/p_bad_to_good)");
  cmd->add_option("--rate-kbps", o->rate_kbps, "rate cap per direction (0 = none)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--queue-ms", o->queue_ms, "rate-cap queue bound in ms of waiting (drop-tail)")
      ->check(CLI::Range(0.0, 60000.0));
  cmd->add_option("--queue-packets", o->queue_packets, "rate-cap queue bound in packets (0 = none)");
  cmd->add_option("--duplicate", o->duplicate, "duplicate probability")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", o->seed, "PRNG seed (runs with the same seed and traffic decide alike)");
  cmd->add_option("--config", o->config, "JSON file like the PUT /link body, applied after the flags");
  cmd->add_option(
      "--delay-from-matrix", o->matrix,
      "RTT matrix CSV (e.g. data/latency/gcp_2020_matrix_avg_ms.csv): delay = RTT/2 per direction");
  cmd->add_option("--from", o->from_region, "matrix region of side A (with --delay-from-matrix)");
  cmd->add_option("--to-region", o->to_region, "matrix region of side B (with --delay-from-matrix)");
  cmd->add_option("--duration", o->duration_s, "seconds to run (0 = until Ctrl-C)")
      ->check(CLI::Range(0.0, 1e7));
  cmd->add_option("--hold-packets", o->hold_packets, "packets the delay queue holds (preallocated)")
      ->check(CLI::Range(1, 1 << 22));
  cmd->add_option("--max-peers", o->max_peers, "side-A peers (each gets an upstream socket)")
      ->check(CLI::Range(1, 1024));
  cmd->callback([o] { Run(*o); });
}

}  // namespace cascade::linkemu
