#pragma once
// `cascade loadgen`: drives an edge with a synthetic publisher and N viewers over WHIP/WHEP
// and measures it (memory per viewer, CPU per forwarded packet, join latency) from the
// edge's own /metrics. One loop, one thread; every client has its own UDP socket.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dtls/Certificate.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "tools/loadgen/EdgeMetrics.hpp"
#include "tools/loadgen/HttpClient.hpp"
#include "tools/loadgen/WebRtcClient.hpp"

namespace cascade::loadgen {

struct LoadgenOptions {
  std::string edge_url = "http://127.0.0.1:8090";
  // Join through control instead: POST there, follow its 307 (query string and all) to the
  // edge it chose and talk to that edge; tokens from control's GET /api/token unless given.
  std::string control_url;
  std::string region;  // region hint for the tokens loadgen fetches (&region=)
  std::string room = "bench";
  int viewers = 10;
  bool publish = false;
  int duration_s = 10;           // the steady measuring window
  bool token_from_edge = false;  // GET /api/token (also done when no token is given)
  std::string watch_token;
  std::string publish_token;
  int ramp_ms = 5;            // between two viewers' POSTs
  size_t frame_bytes = 4000;  // VP8 frame size
  int join_timeout_s = 30;
};

// Percentile (0..100) of `values` by nearest rank; 0 when empty.
double Percentile(std::vector<double> values, double percent);

class LoadGenerator {
 public:
  explicit LoadGenerator(LoadgenOptions options);
  ~LoadGenerator();
  // Runs to completion; prints the per-viewer table and the figures on stdout. Returns the
  // exit code: 0 when every viewer connected and received video.
  int Run();

 private:
  void Fetch(const std::string& target, std::function<void(const HttpClientResponse&)> done);
  void Scrape(std::function<void(std::optional<EdgeSnapshot>)> done);
  void GetTokens(std::function<void()> next);
  void StartPublisher(std::function<void()> next);
  void StartViewers();
  void Post(WebRtcClient& client, const std::string& path, const std::string& token);
  // POSTs the offer to `base` + `target`, following up to `redirects` 307/308s.
  void SendOffer(WebRtcClient& client, const std::string& base, const std::string& target,
                 const std::string& token, int redirects);
  HttpClient& ClientFor(const std::string& base_url);
  bool through_control() const { return !options_.control_url.empty(); }
  // Control mode: one line per edge the viewers were sent to, named by control's /api/nodes.
  void PrintPerEdge(const std::map<std::string, std::string>& names);
  void EndSessions();
  void OnJoinPhaseTick();
  void StartWindow();
  void Finish();
  void Fail(const std::string& message);
  void After(uint64_t ms, std::function<void()> action);

  LoadgenOptions options_;
  net::Loop loop_;
  std::unique_ptr<dtls::Certificate> certificate_;
  std::unique_ptr<dtls::DtlsContext> dtls_context_;
  std::string base_url_;              // the edge, or control (--control): http://IP:PORT
  std::unique_ptr<HttpClient> http_;  // to base_url_
  std::map<std::string, std::unique_ptr<HttpClient>> edge_clients_;  // by base URL (control mode)
  std::unique_ptr<WebRtcClient> publisher_;
  std::vector<std::unique_ptr<WebRtcClient>> viewers_;
  std::unique_ptr<net::Timer> fast_timer_;
  std::unique_ptr<net::Timer> slow_timer_;
  std::unique_ptr<net::Timer> video_timer_;
  std::unique_ptr<net::Timer> audio_timer_;
  std::unique_ptr<net::Timer> phase_timer_;
  std::vector<std::unique_ptr<net::Timer>> one_shots_;
  uint64_t join_started_ms_ = 0;
  size_t viewers_started_ = 0;
  bool all_connected_seen_ = false;
  std::optional<EdgeSnapshot> before_viewers_;
  std::optional<EdgeSnapshot> after_handshake_;
  std::optional<EdgeSnapshot> window_start_;
  std::optional<EdgeSnapshot> window_end_;
  uint64_t window_start_us_ = 0;
  uint64_t window_end_us_ = 0;
  std::vector<uint64_t> window_start_packets_;
  std::vector<uint64_t> window_end_packets_;
  int exit_code_ = 0;
  bool failed_ = false;
};

}  // namespace cascade::loadgen
