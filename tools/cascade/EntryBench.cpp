#include "tools/cascade/EntryBench.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "auth/Token.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "tools/cascade/Commands.hpp"
#include "tools/loadgen/HttpClient.hpp"

namespace cascade::tools {
namespace {

// A small WHEP offer. Control never reads it (it places by the token and the address; the
// client re-POSTs the offer to the edge), so only its size matters here.
constexpr const char* kOffer =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "a=ice-ufrag:benchufr\r\na=ice-pwd:benchpasswordbenchpassword\r\n"
    "a=fingerprint:sha-256 "
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
    "a=setup:actpass\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n";

// utime + stime of a process in seconds, from /proc/PID/stat; negative when unreadable.
double CpuSecondsOf(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double OwnCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Keeps `depth` requests in flight on every connection for `seconds`, then waits for the
// ones still out. Only answers that arrive before the deadline count.
EntryPhase RunPhase(const std::string& name, const EntryBenchOptions& options, net::SocketAddress server,
                    int expected_status, const std::function<loadgen::HttpClientRequest(uint64_t)>& make) {
  net::Loop loop;
  EntryPhase phase;
  phase.name = name;
  std::vector<std::unique_ptr<loadgen::HttpConnection>> connections;
  bool counting = true;
  uint64_t next = 0;
  size_t in_flight = 0;
  double cpu_before = options.control_pid ? CpuSecondsOf(options.control_pid) : -1;
  double own_before = OwnCpuSeconds();
  auto started = std::chrono::steady_clock::now();
  std::function<void(loadgen::HttpConnection*)> send = [&](loadgen::HttpConnection* connection) {
    ++in_flight;
    connection->Send(make(next++), [&, connection](const loadgen::HttpClientResponse& response) {
      --in_flight;
      if (!counting) {
        if (in_flight == 0) loop.Stop();
        return;
      }
      ++phase.statuses[response.status];
      if (response.status == expected_status) ++phase.expected;
      send(connection);
    });
  };
  for (int c = 0; c < options.connections; ++c) {
    connections.push_back(std::make_unique<loadgen::HttpConnection>(loop, server));
    for (int d = 0; d < options.depth; ++d) send(connections.back().get());
  }
  net::Timer deadline(loop, [&] {
    counting = false;
    phase.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    phase.bench_cpu_percent = 100 * (OwnCpuSeconds() - own_before) / phase.seconds;
    if (cpu_before >= 0) {
      double cpu_after = CpuSecondsOf(options.control_pid);
      if (cpu_after >= 0) phase.control_cpu_percent = 100 * (cpu_after - cpu_before) / phase.seconds;
    }
    if (in_flight == 0) loop.Stop();
  });
  deadline.Start(static_cast<uint64_t>(options.seconds * 1000));
  net::Timer give_up(loop, [&] { loop.Stop(); });
  give_up.Start(static_cast<uint64_t>(options.seconds * 1000) + 5000);
  loop.Run();
  return phase;
}

}  // namespace

std::vector<EntryPhase> RunEntryBench(const EntryBenchOptions& options) {
  auto server = loadgen::ParseHttpUrl(options.control);
  if (!server)
    throw std::runtime_error("--control: expected http://host:port, got \"" + options.control + "\"");
  auth::TokenAuthority authority(options.secret.empty() ? auth::kLocalDevelopmentSecret : options.secret);
  std::vector<std::pair<std::string, std::string>> targets;  // target, Authorization
  const uint64_t expires = static_cast<uint64_t>(std::time(nullptr)) + 3600;
  for (int i = 0; i < options.rooms; ++i) {
    std::string room = "bench-" + std::to_string(i);
    std::string hint =
        options.region_hints.empty() ? "" : options.region_hints[i % options.region_hints.size()];
    std::string token =
        authority.Issue({room, auth::TokenRole::kWatch, expires, "bench-" + std::to_string(i), hint});
    targets.emplace_back("/whep/" + room, "Bearer " + token);
  }
  std::vector<EntryPhase> phases;
  phases.push_back(RunPhase("healthz", options, *server, 200, [](uint64_t) {
    loadgen::HttpClientRequest request;
    request.target = "/healthz";
    return request;
  }));
  phases.push_back(RunPhase("placement", options, *server, 307, [&](uint64_t n) {
    const auto& [target, authorization] = targets[n % targets.size()];
    loadgen::HttpClientRequest request;
    request.method = "POST";
    request.target = target;
    request.headers = {{"Authorization", authorization}, {"Content-Type", "application/sdp"}};
    request.body = kOffer;
    return request;
  }));
  for (const auto& phase : phases) {
    if (phase.expected == 0) {
      std::string seen;
      for (const auto& [status, count] : phase.statuses)
        seen += " " + std::to_string(status) + "x" + std::to_string(count);
      throw std::runtime_error("entrybench: no " + phase.name + " request succeeded against " +
                               options.control + " (answers:" + (seen.empty() ? " none" : seen) +
                               "; 0 = no connection)");
    }
  }
  return phases;
}

std::string FormatEntryBench(const std::vector<EntryPhase>& phases) {
  std::string out;
  char line[256];
  for (const auto& phase : phases) {
    std::string others;
    for (const auto& [status, count] : phase.statuses) {
      if (count == 0 || (phase.name == "healthz" ? status == 200 : status == 307)) continue;
      others += " " + std::to_string(status) + "x" + std::to_string(count);
    }
    std::snprintf(line, sizeof(line), "entrybench: %-9s %9.0f req/s  (%llu in %.2f s%s%s)",
                  phase.name.c_str(), phase.rate(), static_cast<unsigned long long>(phase.expected),
                  phase.seconds, others.empty() ? "" : ", other answers:", others.c_str());
    out += line;
    std::snprintf(line, sizeof(line), "  bench cpu %.0f%%", phase.bench_cpu_percent);
    out += line;
    if (phase.control_cpu_percent >= 0) {
      std::snprintf(line, sizeof(line), "  control cpu %.0f%% = %.1f us/request", phase.control_cpu_percent,
                    phase.control_us_per_request());
      out += line;
    }
    out += "\n";
  }
  if (phases.size() == 2 && phases[0].rate() > 0) {
    std::snprintf(line, sizeof(line), "entrybench: placements/healthz = %.2f",
                  phases[1].rate() / phases[0].rate());
    out += line;
    if (phases[0].control_us_per_request() > 0 && phases[1].control_us_per_request() > 0) {
      std::snprintf(line, sizeof(line), " (by control cpu per request: %.2f)",
                    phases[0].control_us_per_request() / phases[1].control_us_per_request());
      out += line;
    }
    out += "\n";
  }
  return out;
}

void AddEntryBenchCommand(CLI::App& app) {
  auto options = std::make_shared<EntryBenchOptions>();
  auto* bench = app.add_subcommand(
      "entrybench",
      "placements per second through control's WHEP entry, beside GET /healthz on the same server");
  bench->add_option("--control", options->control, "control's public HTTP URL")->capture_default_str();
  bench->add_option("--secret", options->secret, "control's auth.secret (default: the development secret)")
      ->envname("CASCADE_AUTH_SECRET");
  bench->add_option("--connections", options->connections, "keep-alive connections")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  bench->add_option("--depth", options->depth, "requests in flight per connection")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  bench->add_option("--seconds", options->seconds, "length of each phase")
      ->check(CLI::Range(0.5, 600.0))
      ->capture_default_str();
  bench->add_option("--rooms", options->rooms, "rooms the tokens are spread over")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  bench->add_option("--region-hints", options->region_hints, "region hints cycled through the tokens")
      ->delimiter(',');
  bench->add_option("--control-pid", options->control_pid, "control's process id, to show its CPU use");
  bench->callback([options] { std::cout << FormatEntryBench(RunEntryBench(*options)) << std::flush; });
}

}  // namespace cascade::tools
