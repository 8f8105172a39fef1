#include "tools/relaybench/RelayBench.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control/server/ControlDaemon.hpp"
#include "core/base/Log.hpp"
#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "media/ProcessStats.hpp"
#include "tools/loadgen/EdgeMetrics.hpp"
#include "tools/loadgen/HttpClient.hpp"
#include "tools/loadgen/SyntheticMedia.hpp"
#include "tools/loadgen/WebRtcClient.hpp"
#include "tools/relaybench/ArrivalLog.hpp"
#include "tools/relaybench/ChildEndpoint.hpp"

namespace cascade::relaybench {
namespace {

constexpr const char* kOriginId = "origin";
constexpr const char* kRelayId = "relay-1";
constexpr const char* kDirectId = "direct";
// One VP8 packet carries this much frame (the packet is loadgen::kMaxRtpPacket bytes: RTP
// header and one-byte VP8 descriptor), so a frame of k times it is exactly k packets.
constexpr size_t kVp8BytesPerPacket = loadgen::kMaxRtpPacket - 12 - 1;
constexpr int kAudioPps = 50;
constexpr uint64_t kDrainMs = 300;  // after the window: packets of the window still in flight

// Runs this binary again with `args`; the child dies with us (as `cascade up` does).
pid_t Spawn(const std::string& exe, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(1);
  execv(exe.c_str(), argv.data());
  _exit(127);
}

std::string FirstLineValue(const char* path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(prefix)) continue;
    auto colon = line.find(':');
    return colon == std::string::npos ? line : line.substr(line.find_first_not_of(" \t", colon + 1));
  }
  return "unknown";
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + "/" + five + "/" + fifteen;
}

// What the benchmark reads from a node's /metrics.
struct NodeSnapshot {
  uint64_t at_us = 0;
  double cpu_seconds = 0;
  double link_forwarded = 0;        // RTP packets sent to child links
  double received_from_parent = 0;  // RTP packets received on the link from `parent`
  double datagrams_sent = 0;
  double send_syscalls = 0;
  double send_queue_drops = 0;
};

std::optional<NodeSnapshot> ParseSnapshot(std::string_view text, const std::string& parent, uint64_t at_us) {
  auto cpu = loadgen::FindSample(text, "cascade_process_cpu_seconds_total");
  auto forwarded = loadgen::FindSample(text, "cascade_media_link_packets_forwarded_total");
  if (!cpu || !forwarded) return std::nullopt;
  NodeSnapshot s;
  s.at_us = at_us;
  s.cpu_seconds = *cpu;
  s.link_forwarded = *forwarded;
  if (!parent.empty()) {
    s.received_from_parent =
        loadgen::FindSample(text, "cascade_link_rtp_packets_received_total", "peer=\"" + parent + "\"")
            .value_or(0);
  }
  s.datagrams_sent =
      loadgen::FindSample(text, "cascade_udp_datagrams_sent_total", "socket=\"media\"").value_or(0);
  s.send_syscalls =
      loadgen::FindSample(text, "cascade_udp_send_syscalls_total", "socket=\"media\"").value_or(0);
  s.send_queue_drops =
      loadgen::FindSample(text, "cascade_udp_send_queue_drops_total", "socket=\"media\"").value_or(0);
  return s;
}

class Bench {
 public:
  explicit Bench(RelayBenchOptions options) : options_(std::move(options)), log_(options_.children + 1) {}
  ~Bench();
  int Run();

 private:
  uint16_t port(int offset) const { return static_cast<uint16_t>(options_.base_port + offset); }
  std::string Address(int offset) const { return "127.0.0.1:" + std::to_string(port(offset)); }
  void SpawnNode(const std::string& role, const std::string& id, int http_offset, int media_offset);
  void Fail(const std::string& message);
  void After(uint64_t ms, std::function<void()> action);
  // Polls `done` every 20 ms; calls `next` once it holds, fails after `timeout_ms`.
  void WaitFor(std::function<bool()> done, uint64_t timeout_ms, const std::string& what,
               std::function<void()> next);
  void LinkTree(std::function<void()> next);
  void StartPublisher(std::function<void()> next);
  void SendVideo();
  void Scrape(loadgen::HttpClient& http, const std::string& parent,
              std::function<void(std::optional<NodeSnapshot>)> done);
  void ScrapeBoth(std::function<void()> next, bool start);
  void StartWindow();
  void Report();

  RelayBenchOptions options_;
  net::Loop loop_;
  std::unique_ptr<control::ControlDaemon> control_;
  std::vector<pid_t> pids_;
  std::unique_ptr<sctp::SctpLibrary::Ref> sctp_library_;
  std::unique_ptr<dtls::Certificate> certificate_;
  std::unique_ptr<dtls::DtlsContext> dtls_context_;
  std::vector<std::unique_ptr<ChildEndpoint>> endpoints_;  // [0] the direct child, [k] child-k of the relay
  ArrivalLog log_;
  std::unique_ptr<loadgen::HttpClient> origin_http_;
  std::unique_ptr<loadgen::HttpClient> relay_http_;
  std::unique_ptr<loadgen::WebRtcClient> publisher_;
  std::string publish_token_;
  std::unique_ptr<net::Timer> fast_timer_;
  std::unique_ptr<net::Timer> slow_timer_;
  std::unique_ptr<net::Timer> video_timer_;
  std::unique_ptr<net::Timer> audio_timer_;
  std::vector<std::unique_ptr<net::Timer>> timers_;  // one-shots and waits, freed with the bench
  uint64_t last_fast_ms_ = 0;
  uint64_t last_fast_us_ = 0;
  bool in_window_ = false;
  std::vector<int64_t> loop_lag_us_;  // how late the 10 ms timer fired, during the window
  uint64_t last_video_us_ = 0;
  double video_credit_ = 0;
  std::optional<NodeSnapshot> relay_start_, relay_end_, origin_start_, origin_end_;
  double self_cpu_start_ = 0;
  double self_cpu_end_ = 0;
  uint64_t window_start_us_ = 0;
  uint64_t window_end_us_ = 0;
  std::string load_start_;
  int exit_code_ = 0;
  bool failed_ = false;
};

Bench::~Bench() {
  timers_.clear();
  video_timer_.reset();
  audio_timer_.reset();
  fast_timer_.reset();
  slow_timer_.reset();
  publisher_.reset();
  endpoints_.clear();
  origin_http_.reset();
  relay_http_.reset();
  for (pid_t pid : pids_) kill(pid, SIGTERM);
  for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
  control_.reset();
}

void Bench::SpawnNode(const std::string& role, const std::string& id, int http_offset, int media_offset) {
  std::vector<std::string> args = {
      "cascade", role,
      "--set",   "node.id=" + id,
      "--set",   "node.region=local",
      "--set",   "http.listen=" + Address(http_offset),
      "--set",   "media.listen=" + Address(media_offset),
      "--set",   "control.address=" + Address(1),
      "--set",   "control.fingerprint=" + control_->fingerprint().ToString(),
      "--set",   "log.level=" + options_.log_level,
  };
  if (role == "edge") {
    // The synthetic publisher sends more than the default cap (only a REMB, but be plain).
    args.insert(args.end(), {"--set", "edge.publisher_max_bitrate=100000000"});
  }
  pid_t pid = Spawn(options_.node_exe, std::move(args));
  if (pid < 0) throw std::runtime_error("could not start " + id);
  pids_.push_back(pid);
  std::printf("relaybench: started %-5s %-7s pid %-7d http %s media udp %s\n", role.c_str(), id.c_str(), pid,
              Address(http_offset).c_str(), Address(media_offset).c_str());
}

void Bench::Fail(const std::string& message) {
  if (failed_) return;
  failed_ = true;
  std::fprintf(stderr, "relaybench: FAILED: %s\n", message.c_str());
  exit_code_ = 1;
  loop_.Stop();
}

void Bench::After(uint64_t ms, std::function<void()> action) {
  auto timer = std::make_unique<net::Timer>(loop_, std::move(action));
  timer->Start(ms);
  timers_.push_back(std::move(timer));
}

void Bench::WaitFor(std::function<bool()> done, uint64_t timeout_ms, const std::string& what,
                    std::function<void()> next) {
  const uint64_t started = loop_.clock().NowMs();
  auto self = std::make_shared<net::Timer*>(nullptr);
  auto timer = std::make_unique<net::Timer>(loop_, [this, self, started, timeout_ms, what, done, next] {
    if (failed_) {
      (*self)->Stop();
      return;
    }
    const uint64_t elapsed = loop_.clock().NowMs() - started;
    if (done()) {
      (*self)->Stop();
      std::printf("relaybench: %s after %llu ms\n", what.c_str(), static_cast<unsigned long long>(elapsed));
      std::fflush(stdout);
      next();
      return;
    }
    if (elapsed > timeout_ms) {
      (*self)->Stop();
      Fail("timed out after " + std::to_string(timeout_ms) + " ms waiting until " + what);
    }
  });
  *self = timer.get();
  timer->Start(20, 20);
  timers_.push_back(std::move(timer));
}

// Links the room along origin -> direct, origin -> relay -> child-1..N, one link at a time
// through control's tree commands, as `cascade up --tree` does.
void Bench::LinkTree(std::function<void()> next) {
  struct Step {
    std::string parent, child;
  };
  auto steps = std::make_shared<std::vector<Step>>();
  // The direct child first: the origin sends its copy before the relay's (one SRTP
  // encryption earlier), so the hop latency below is not flattered by the order.
  steps->push_back({kOriginId, kDirectId});
  steps->push_back({kOriginId, kRelayId});
  for (int i = 1; i <= options_.children; ++i) steps->push_back({kRelayId, "child-" + std::to_string(i)});
  const uint64_t started = loop_.clock().NowMs();
  auto step = std::make_shared<std::function<void(size_t)>>();
  *step = [this, steps, step, started, next](size_t i) {
    if (i == steps->size()) {
      std::printf("relaybench: linked %zu links through control's tree commands in %llu ms\n", steps->size(),
                  static_cast<unsigned long long>(loop_.clock().NowMs() - started));
      std::fflush(stdout);
      // Breaks the cycle of the function holding itself, once it is no longer running.
      After(0, [step] { *step = nullptr; });
      next();
      return;
    }
    const Step& s = (*steps)[i];
    control_->tree().AddLink(options_.room, s.parent, s.child,
                             [this, s, step, i](control::TreeCommands::Outcome outcome) {
                               if (outcome.status != 200) {
                                 Fail("linking " + s.parent + " -> " + s.child + ": " + outcome.error);
                                 return;
                               }
                               // From the loop, not from inside the answer: the chain does not grow the
                               // stack.
                               After(0, [step, i] {
                                 if (*step) (*step)(i + 1);
                               });
                             });
  };
  (*step)(0);
}

void Bench::StartPublisher(std::function<void()> next) {
  loadgen::HttpClientRequest token;
  token.target = "/api/token?room=" + options_.room + "&role=publish";
  origin_http_->Send(std::move(token), [this, next](const loadgen::HttpClientResponse& response) {
    auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (response.status != 200 || !json.is_object() || !json.contains("token") ||
        !json["token"].is_string()) {
      return Fail("GET /api/token on the origin: " +
                  (response.status ? std::to_string(response.status) + " " + response.body : response.error));
    }
    publish_token_ = json["token"].get<std::string>();
    publisher_ = std::make_unique<loadgen::WebRtcClient>(loop_, *dtls_context_, certificate_->fingerprint(),
                                                         loadgen::WebRtcClient::Role::kPublisher, 0);
    loadgen::HttpClientRequest post;
    post.method = "POST";
    post.target = "/whip/" + options_.room;
    post.headers = {{"Content-Type", "application/sdp"}, {"Authorization", "Bearer " + publish_token_}};
    post.body = publisher_->Offer();
    origin_http_->Send(std::move(post), [this, next](const loadgen::HttpClientResponse& answer) {
      if (answer.status != 201) {
        return Fail("WHIP POST on the origin: " +
                    (answer.status ? std::to_string(answer.status) + " " + answer.body : answer.error));
      }
      publisher_->location = std::string(answer.Header("location"));
      std::string error;
      if (!publisher_->Start(answer.body, error)) return Fail("WHIP answer: " + error);
      last_video_us_ = loop_.clock().NowUs();
      video_timer_ = std::make_unique<net::Timer>(loop_, [this] { SendVideo(); });
      video_timer_->Start(static_cast<uint64_t>(options_.pace_ms), static_cast<uint64_t>(options_.pace_ms));
      audio_timer_ = std::make_unique<net::Timer>(loop_, [this] { publisher_->SendAudioPacket(); });
      audio_timer_->Start(20, 20);
      WaitFor([this] { return publisher_->connected() || publisher_->failed(); }, 10'000,
              "the publisher connected to the origin",
              [this, next] {
                if (publisher_->failed()) return Fail("the publisher's transport ended");
                next();
              });
    });
  });
}

void Bench::SendVideo() {
  // Paced: every pace_ms, as many whole packets as the rate has earned since the last time.
  const uint64_t now = loop_.clock().NowUs();
  const double video_pps = static_cast<double>(std::max(options_.rate_pps - kAudioPps, 1));
  video_credit_ += video_pps * static_cast<double>(now - last_video_us_) / 1e6;
  video_credit_ = std::min(video_credit_, video_pps * 0.1);  // no catch-up burst after a stall
  last_video_us_ = now;
  const auto packets = static_cast<size_t>(video_credit_);
  if (packets == 0 || !publisher_->connected()) return;
  video_credit_ -= static_cast<double>(packets);
  publisher_->SendVideoFrame(packets * kVp8BytesPerPacket, false);
}

void Bench::Scrape(loadgen::HttpClient& http, const std::string& parent,
                   std::function<void(std::optional<NodeSnapshot>)> done) {
  loadgen::HttpClientRequest request;
  request.target = "/metrics";
  const uint64_t sent_us = loop_.clock().NowUs();
  http.Send(std::move(request), [this, parent, sent_us, done](const loadgen::HttpClientResponse& response) {
    // The node read its counters somewhere between request and answer.
    const uint64_t at_us = sent_us + (loop_.clock().NowUs() - sent_us) / 2;
    done(response.status == 200 ? ParseSnapshot(response.body, parent, at_us) : std::nullopt);
  });
}

void Bench::ScrapeBoth(std::function<void()> next, bool start) {
  Scrape(*relay_http_, kOriginId, [this, next, start](std::optional<NodeSnapshot> relay) {
    if (!relay) return Fail("GET /metrics on the relay failed or lacks the expected samples");
    (start ? relay_start_ : relay_end_) = relay;
    Scrape(*origin_http_, "", [this, next, start](std::optional<NodeSnapshot> origin) {
      if (!origin) return Fail("GET /metrics on the origin failed or lacks the expected samples");
      (start ? origin_start_ : origin_end_) = origin;
      next();
    });
  });
}

void Bench::StartWindow() {
  ScrapeBoth(
      [this] {
        window_start_us_ = loop_.clock().NowUs();
        log_.StartWindow(window_start_us_);
        in_window_ = true;
        self_cpu_start_ = media::ProcessStats::CpuSeconds();
        std::printf("relaybench: measuring for %d s\n", options_.duration_s);
        std::fflush(stdout);
        After(static_cast<uint64_t>(options_.duration_s) * 1000, [this] {
          window_end_us_ = loop_.clock().NowUs();
          log_.EndWindow();
          in_window_ = false;
          self_cpu_end_ = media::ProcessStats::CpuSeconds();
          ScrapeBoth(
              [this] {
                After(kDrainMs, [this] {
                  log_.Stop();
                  Report();
                  loop_.Stop();
                });
              },
              false);
        });
      },
      true);
}

void Bench::Report() {
  const int n = options_.children;
  // Delivery, from sequence numbers: every packet of the window, at every endpoint.
  const uint64_t expected = log_.expected();
  const auto received = log_.received();
  auto pct = [expected](uint64_t got) {
    return expected ? 100.0 * static_cast<double>(got) / static_cast<double>(expected) : 0.0;
  };
  double min_pct = 100.0;
  double sum_pct = 0;
  int below = 0;
  int empty = 0;
  for (int k = 1; k <= n; ++k) {
    const double p = pct(received[static_cast<size_t>(k)]);
    min_pct = std::min(min_pct, p);
    sum_pct += p;
    if (p < options_.min_delivery_pct) ++below;
    if (received[static_cast<size_t>(k)] == 0) ++empty;
  }
  const double direct_pct = pct(received[0]);
  if (direct_pct < options_.min_delivery_pct || received[0] == 0) ++below;
  int listed = 0;
  for (int k = 0; k <= n; ++k) {
    const auto& e = *endpoints_[static_cast<size_t>(k)];
    const double p = pct(received[static_cast<size_t>(k)]);
    if (p < options_.min_delivery_pct || received[static_cast<size_t>(k)] == 0 || e.ended()) {
      if (++listed > 10) continue;  // the summary line below counts them all
      std::printf("relaybench: %-9s received %llu of %llu (%.2f%%)%s%s\n", e.node_id().c_str(),
                  static_cast<unsigned long long>(received[static_cast<size_t>(k)]),
                  static_cast<unsigned long long>(expected), p, e.ended() ? ", transport ended: " : "",
                  e.ended() ? transport::ToString(*e.ended()) : "");
    }
  }

  // The relay's own figures over the window.
  const double window_s = static_cast<double>(relay_end_->at_us - relay_start_->at_us) / 1e6;
  const double cpu = relay_end_->cpu_seconds - relay_start_->cpu_seconds;
  const double forwarded = relay_end_->link_forwarded - relay_start_->link_forwarded;
  const double in = relay_end_->received_from_parent - relay_start_->received_from_parent;
  const double sent = relay_end_->datagrams_sent - relay_start_->datagrams_sent;
  const double syscalls = relay_end_->send_syscalls - relay_start_->send_syscalls;
  const double drops = relay_end_->send_queue_drops - relay_start_->send_queue_drops;
  const double origin_s = static_cast<double>(origin_end_->at_us - origin_start_->at_us) / 1e6;
  const double origin_cpu = origin_end_->cpu_seconds - origin_start_->cpu_seconds;
  const double self_s = static_cast<double>(window_end_us_ - window_start_us_) / 1e6;

  std::printf(
      "relaybench: window %.2f s: the publisher sent %llu packets, the relay received %.0f from the origin\n",
      window_s, static_cast<unsigned long long>(expected), in);
  if (window_s > 0 && in / window_s < 0.98 * static_cast<double>(options_.rate_pps)) {
    std::printf(
        "relaybench: NOTE the relay did not keep up with the publisher (%.0f of %d packets/s): it had less "
        "than "
        "the CPU it needed (saturated, or its share of a busy machine); its CPU per packet still holds\n",
        in / window_s, options_.rate_pps);
  }
  std::printf(
      "relay_children=%d forwarded_pps=%.0f cpu_util=%.3f pps_per_core=%.0f us_per_forwarded_packet=%.2f "
      "relay_in_pps=%.0f publisher_pps=%d\n",
      n, window_s > 0 ? forwarded / window_s : 0, window_s > 0 ? cpu / window_s : 0,
      cpu > 0 ? forwarded / cpu : 0, forwarded > 0 ? cpu * 1e6 / forwarded : 0,
      window_s > 0 ? in / window_s : 0, options_.rate_pps);
  std::printf(
      "relay_datagrams_per_sendmmsg=%.1f relay_send_queue_drops=%.0f origin_cpu_util=%.3f "
      "bench_process_cpu_util=%.3f\n",
      syscalls > 0 ? sent / syscalls : 0, drops, origin_s > 0 ? origin_cpu / origin_s : 0,
      self_s > 0 ? (self_cpu_end_ - self_cpu_start_) / self_s : 0);
  std::printf(
      "delivery expected=%llu direct_pct=%.2f children_min_pct=%.2f children_mean_pct=%.2f "
      "endpoints_below_%g_pct=%d children_without_packets=%d\n",
      static_cast<unsigned long long>(expected), direct_pct, min_pct, n > 0 ? sum_pct / n : 0,
      options_.min_delivery_pct, below, empty);

  // Latency the hop adds: the same packet at a relayed child minus at the direct child.
  std::vector<int64_t> all;
  for (int k = 1; k <= n; ++k) {
    auto d = log_.Delays(0, static_cast<size_t>(k));
    all.insert(all.end(), d.begin(), d.end());
  }
  auto first = log_.Delays(0, 1);
  auto last = log_.Delays(0, static_cast<size_t>(n));
  const size_t samples = all.size();
  const int64_t lo = samples ? *std::min_element(all.begin(), all.end()) : 0;
  const int64_t hi = samples ? *std::max_element(all.begin(), all.end()) : 0;
  const int64_t p50 = ArrivalLog::Percentile(all, 50);
  const int64_t p90 = ArrivalLog::Percentile(all, 90);
  const int64_t p99 = ArrivalLog::Percentile(all, 99);
  std::printf("hop_latency_us p50=%lld p99=%lld p90=%lld min=%lld max=%lld samples=%zu (every child)\n",
              static_cast<long long>(p50), static_cast<long long>(p99), static_cast<long long>(p90),
              static_cast<long long>(lo), static_cast<long long>(hi), samples);
  std::printf("hop_latency_first_child_us p50=%lld p99=%lld  hop_latency_last_child_us p50=%lld p99=%lld\n",
              static_cast<long long>(ArrivalLog::Percentile(first, 50)),
              static_cast<long long>(ArrivalLog::Percentile(first, 99)),
              static_cast<long long>(ArrivalLog::Percentile(last, 50)),
              static_cast<long long>(ArrivalLog::Percentile(last, 99)));
  // The arrival times above are taken in this process: when it waits for a CPU, they wait too.
  std::printf(
      "bench_loop_lag_us p50=%lld p99=%lld (this process's 10 ms timer: interval minus 10 ms, ms clock)\n",
      static_cast<long long>(ArrivalLog::Percentile(loop_lag_us_, 50)),
      static_cast<long long>(ArrivalLog::Percentile(loop_lag_us_, 99)));
  std::printf("relaybench: loadavg %s at the start, %s at the end\n", load_start_.c_str(),
              LoadAverage().c_str());
  if (below > 0 || empty > 0 || expected == 0) {
    std::fprintf(stderr, "relaybench: %d endpoint(s) received less than %g%% of the window's %llu packets\n",
                 below, options_.min_delivery_pct, static_cast<unsigned long long>(expected));
    exit_code_ = 1;
  } else {
    std::printf("relaybench: ok, every child received %s%g%% of the window's packets\n",
                options_.min_delivery_pct > 0 ? "at least " : "more than ", options_.min_delivery_pct);
  }
  std::fflush(stdout);
}

int Bench::Run() {
  load_start_ = LoadAverage();
#ifdef NDEBUG
  const char* build = "release (NDEBUG)";
#else
  const char* build = "with assertions (not a release build)";
#endif
  std::printf("relaybench: machine cores=%u cpu=\"%s\" loadavg=%s build=%s\n",
              std::thread::hardware_concurrency(), FirstLineValue("/proc/cpuinfo", "model name").c_str(),
              load_start_.c_str(), build);
  std::printf(
      "relaybench: 1 origin edge + 1 relay (processes), %d relayed children + 1 direct child (in this "
      "process), "
      "publisher %d packets/s\n",
      options_.children, options_.rate_pps);
  std::fflush(stdout);

  control::ControlSettings settings;
  settings.http_address = *net::SocketAddress::Parse("127.0.0.1", port(0));
  settings.channel_address = *net::SocketAddress::Parse("127.0.0.1", port(1));
  settings.heartbeat_interval_ms = 500;
  control_ = std::make_unique<control::ControlDaemon>(loop_, settings);
  SpawnNode("edge", kOriginId, 10, 20);
  SpawnNode("relay", kRelayId, 11, 21);
  origin_http_ =
      std::make_unique<loadgen::HttpClient>(loop_, *net::SocketAddress::Parse("127.0.0.1", port(10)));
  relay_http_ =
      std::make_unique<loadgen::HttpClient>(loop_, *net::SocketAddress::Parse("127.0.0.1", port(11)));

  sctp_library_ = std::make_unique<sctp::SctpLibrary::Ref>();
  certificate_ = dtls::Certificate::Generate("cascade-relaybench");
  dtls_context_ = std::make_unique<dtls::DtlsContext>(*certificate_);
  for (int k = 0; k <= options_.children; ++k) {
    std::string id = k == 0 ? std::string(kDirectId) : "child-" + std::to_string(k);
    const auto index = static_cast<size_t>(k);
    endpoints_.push_back(std::make_unique<ChildEndpoint>(
        loop_, *dtls_context_, certificate_->fingerprint(), id, settings.channel_address,
        control_->fingerprint(), [this, index](uint32_t ssrc, uint16_t seq, uint64_t now_us) {
          log_.OnPacket(index, ssrc, seq, now_us);
        }));
    endpoints_.back()->Start();
  }

  fast_timer_ = std::make_unique<net::Timer>(loop_, [this] {
    const uint64_t now_us = loop_.clock().NowUs();
    const uint64_t now_ms = now_us / 1000;
    // How long this process waited for a CPU (or was busy) beyond the timer's 10 ms.
    if (in_window_ && last_fast_us_ != 0) {
      loop_lag_us_.push_back(static_cast<int64_t>(now_us - last_fast_us_) - 10'000);
    }
    last_fast_us_ = now_us;
    // usrsctp's timers follow real time: feed it what really elapsed (as MediaPlane does).
    sctp::SctpLibrary::HandleTimers(last_fast_ms_ ? static_cast<uint32_t>(now_ms - last_fast_ms_) : 10);
    last_fast_ms_ = now_ms;
    for (auto& e : endpoints_) e->OnFastTick();
    if (publisher_) publisher_->OnFastTick();
  });
  fast_timer_->Start(10, 10);
  slow_timer_ = std::make_unique<net::Timer>(loop_, [this] {
    const uint64_t now_ms = loop_.clock().NowMs();
    for (auto& e : endpoints_) e->OnSlowTick(now_ms);
    if (publisher_) publisher_->OnSlowTick(now_ms);
  });
  slow_timer_->Start(500, 500);

  const size_t nodes = endpoints_.size() + 2;
  WaitFor([this, nodes] { return control_->server().registry().alive_count() == nodes; }, 30'000,
          "all " + std::to_string(nodes) + " nodes registered with control",
          [this] {
            LinkTree([this] {
              StartPublisher([this] {
                WaitFor(
                    [this] {
                      return std::all_of(endpoints_.begin(), endpoints_.end(),
                                         [](const auto& e) { return e->first_rtp_us() != 0; });
                    },
                    20'000, "every child received media",
                    [this] { After(static_cast<uint64_t>(options_.warmup_ms), [this] { StartWindow(); }); });
              });
            });
          });

  loop_.Run();
  return exit_code_;
}

}  // namespace

int RunRelayBench(const RelayBenchOptions& options) {
  if (options.children < 1) throw std::invalid_argument("--children must be at least 1");
  Bench bench(options);
  return bench.Run();
}

}  // namespace cascade::relaybench
