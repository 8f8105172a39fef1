#include "tools/loadgen/LoadGenerator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

namespace cascade::loadgen {
namespace {

double Ms(uint64_t from_us, uint64_t to_us) {
  return to_us >= from_us && from_us != 0 && to_us != 0 ? static_cast<double>(to_us - from_us) / 1000.0 : -1;
}

}  // namespace

double Percentile(std::vector<double> values, double percent) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(percent / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

LoadGenerator::LoadGenerator(LoadgenOptions options) : options_(std::move(options)) {
  const char* flag = through_control() ? "--control" : "--edge";
  const std::string& url = through_control() ? options_.control_url : options_.edge_url;
  auto server = ParseHttpUrl(url);
  if (!server) throw std::runtime_error(std::string(flag) + ": expected http://IP:PORT, got \"" + url + "\"");
  base_url_ = url.substr(0, url.find('/', std::string_view("http://").size()));
  certificate_ = dtls::Certificate::Generate("cascade-loadgen");
  dtls_context_ = std::make_unique<dtls::DtlsContext>(*certificate_);
  http_ = std::make_unique<HttpClient>(loop_, *server);
}

LoadGenerator::~LoadGenerator() {
  fast_timer_.reset();
  slow_timer_.reset();
  viewers_.clear();
  publisher_.reset();
  edge_clients_.clear();
}

void LoadGenerator::After(uint64_t ms, std::function<void()> action) {
  auto timer = std::make_unique<net::Timer>(loop_, std::move(action));
  timer->Start(ms);
  one_shots_.push_back(std::move(timer));
}

void LoadGenerator::Fail(const std::string& message) {
  if (failed_) return;
  failed_ = true;
  std::cerr << "loadgen: " << message << "\n";
  exit_code_ = 1;
  loop_.Stop();
}

void LoadGenerator::Fetch(const std::string& target, std::function<void(const HttpClientResponse&)> done) {
  HttpClientRequest request;
  request.target = target;
  http_->Send(std::move(request), std::move(done));
}

HttpClient& LoadGenerator::ClientFor(const std::string& base_url) {
  if (base_url == base_url_) return *http_;
  auto& client = edge_clients_[base_url];
  if (!client) client = std::make_unique<HttpClient>(loop_, *ParseHttpUrl(base_url));
  return *client;
}

void LoadGenerator::Scrape(std::function<void(std::optional<EdgeSnapshot>)> done) {
  // Through control the viewers may land on several edges: the per-edge figures
  // (memory, CPU per packet) are left out.
  if (through_control()) return done(std::nullopt);
  Fetch("/metrics", [done = std::move(done)](const HttpClientResponse& response) {
    if (response.status != 200) {
      done(std::nullopt);
      return;
    }
    done(ParseEdgeSnapshot(response.body));
  });
}

void LoadGenerator::GetTokens(std::function<void()> next) {
  bool need_watch = options_.watch_token.empty() || options_.token_from_edge;
  bool need_publish = options_.publish && (options_.publish_token.empty() || options_.token_from_edge);
  auto fetch = [this](const std::string& role, std::string* out, std::function<void()> then) {
    std::string target = "/api/token?room=" + options_.room + "&role=" + role;
    if (!options_.region.empty()) target += "&region=" + options_.region;
    Fetch(target, [this, out, then = std::move(then), role](const HttpClientResponse& response) {
      if (response.status != 200) {
        Fail("GET /api/token (" + role + ") on " + base_url_ + " failed: " +
             (response.status ? std::to_string(response.status) + " " + response.body : response.error) +
             (through_control() ? " (pass --token / --publish-token, e.g. from `cascade token`)" : ""));
        return;
      }
      auto json = nlohmann::json::parse(response.body, nullptr, false);
      if (!json.is_object() || !json.contains("token") || !json["token"].is_string()) {
        Fail("GET /api/token: no token in " + response.body);
        return;
      }
      *out = json["token"].get<std::string>();
      then();
    });
  };
  auto publish_step = [this, need_publish, fetch, next]() {
    if (need_publish) {
      fetch("publish", &options_.publish_token, next);
    } else {
      next();
    }
  };
  if (need_watch) {
    fetch("watch", &options_.watch_token, publish_step);
  } else {
    publish_step();
  }
}

void LoadGenerator::Post(WebRtcClient& client, const std::string& path, const std::string& token) {
  client.post_us = loop_.clock().NowUs();
  SendOffer(client, base_url_, path, token, 3);
}

void LoadGenerator::SendOffer(WebRtcClient& client, const std::string& base, const std::string& target,
                              const std::string& token, int redirects) {
  HttpClientRequest request;
  request.method = "POST";
  request.target = target;
  // The bearer token goes along to the edge too, as OBS and GStreamer do; a grant in the
  // Location's query stands in for it where a client drops it (browsers).
  request.headers = {{"Content-Type", "application/sdp"}, {"Authorization", "Bearer " + token}};
  request.body = client.Offer();
  WebRtcClient* raw = &client;
  ClientFor(base).Send(std::move(request), [this, raw, base, token,
                                            redirects](const HttpClientResponse& response) {
    if ((response.status == 307 || response.status == 308) && redirects > 0) {
      auto next = ResolveLocation(response.Header("location"), base);
      if (!next) {
        raw->answer_us = loop_.clock().NowUs();
        raw->error =
            "redirect with an unusable Location: \"" + std::string(response.Header("location")) + "\"";
        return;
      }
      SendOffer(*raw, next->base, next->target, token, redirects - 1);
      return;
    }
    raw->answer_us = loop_.clock().NowUs();
    raw->edge_url = base;
    if (response.status != 201) {
      raw->error = response.status ? "POST answered " + std::to_string(response.status) + ": " + response.body
                                   : response.error;
      return;
    }
    raw->location = std::string(response.Header("location"));
    std::string error;
    if (!raw->Start(response.body, error)) raw->error = error;
  });
}

void LoadGenerator::StartPublisher(std::function<void()> next) {
  publisher_ = std::make_unique<WebRtcClient>(loop_, *dtls_context_, certificate_->fingerprint(),
                                              WebRtcClient::Role::kPublisher, 0);
  Post(*publisher_, "/whip/" + options_.room, options_.publish_token);
  video_timer_ = std::make_unique<net::Timer>(
      loop_, [this] { publisher_->SendVideoFrame(options_.frame_bytes, false); });
  video_timer_->Start(33, 33);
  audio_timer_ = std::make_unique<net::Timer>(loop_, [this] { publisher_->SendAudioPacket(); });
  audio_timer_->Start(20, 20);
  uint64_t deadline = loop_.clock().NowMs() + 10'000;
  phase_timer_ = std::make_unique<net::Timer>(loop_, [this, deadline, next] {
    if (!publisher_->error.empty()) return Fail("publisher: " + publisher_->error);
    if (publisher_->failed()) return Fail("publisher transport ended");
    if (publisher_->connected()) {
      phase_timer_->Stop();
      // Let the edge learn the streams and their bitrate before viewers come.
      After(1500, next);
      return;
    }
    if (loop_.clock().NowMs() > deadline) Fail("publisher did not connect within 10 s");
  });
  phase_timer_->Start(20, 20);
}

void LoadGenerator::StartViewers() {
  join_started_ms_ = loop_.clock().NowMs();
  for (int i = 0; i < options_.viewers; ++i) {
    viewers_.push_back(std::make_unique<WebRtcClient>(loop_, *dtls_context_, certificate_->fingerprint(),
                                                      WebRtcClient::Role::kViewer,
                                                      static_cast<uint32_t>(i + 1)));
  }
  auto ramp = std::make_shared<std::unique_ptr<net::Timer>>();
  *ramp = std::make_unique<net::Timer>(loop_, [this, ramp] {
    if (viewers_started_ < viewers_.size()) {
      Post(*viewers_[viewers_started_], "/whep/" + options_.room, options_.watch_token);
      ++viewers_started_;
    }
    if (viewers_started_ == viewers_.size()) {
      (*ramp)->Stop();
      one_shots_.push_back(std::move(*ramp));  // not destroyed from inside its own callback
    }
  });
  (*ramp)->Start(0, static_cast<uint64_t>(std::max(options_.ramp_ms, 1)));
  phase_timer_ = std::make_unique<net::Timer>(loop_, [this] { OnJoinPhaseTick(); });
  phase_timer_->Start(50, 50);
}

void LoadGenerator::OnJoinPhaseTick() {
  size_t connected = 0;
  size_t done = 0;  // connected with video, or failed
  for (const auto& v : viewers_) {
    bool dead = !v->error.empty() || v->failed();
    if (v->connected()) ++connected;
    if (dead || v->first_video_us() != 0) ++done;
  }
  bool timed_out = loop_.clock().NowMs() - join_started_ms_ >
                   static_cast<uint64_t>(options_.join_timeout_s) * 1000 +
                       static_cast<uint64_t>(options_.ramp_ms) * viewers_.size();
  if (!all_connected_seen_ && viewers_started_ == viewers_.size() &&
      (connected == viewers_.size() || timed_out)) {
    all_connected_seen_ = true;
    // Memory after every handshake, before the steady window.
    Scrape([this](std::optional<EdgeSnapshot> snapshot) { after_handshake_ = snapshot; });
  }
  if (all_connected_seen_ && (done == viewers_.size() || timed_out)) {
    phase_timer_->Stop();
    After(1000, [this] { StartWindow(); });
  }
}

void LoadGenerator::StartWindow() {
  Scrape([this](std::optional<EdgeSnapshot> start) {
    window_start_ = start;
    window_start_us_ = loop_.clock().NowUs();
    for (const auto& v : viewers_) window_start_packets_.push_back(v->video().packets + v->audio().packets);
    After(static_cast<uint64_t>(options_.duration_s) * 1000, [this] {
      window_end_us_ = loop_.clock().NowUs();
      for (const auto& v : viewers_) window_end_packets_.push_back(v->video().packets + v->audio().packets);
      Scrape([this](std::optional<EdgeSnapshot> end) {
        window_end_ = end;
        Finish();
      });
    });
  });
}

void LoadGenerator::Finish() {
  // Per-viewer table.
  std::vector<double> joins;
  size_t with_video = 0;
  uint64_t lost = 0;
  uint64_t expected = 0;
  std::printf("%-6s %9s %12s %14s %9s %9s %6s %s\n", "viewer", "post_ms", "connected_ms", "first_video_ms",
              "video_rx", "audio_rx", "lost", "error");
  for (size_t i = 0; i < viewers_.size(); ++i) {
    const auto& v = *viewers_[i];
    double join = Ms(v.post_us, v.first_video_us());
    if (v.first_video_us() != 0) {
      ++with_video;
      joins.push_back(join);
    }
    uint64_t viewer_lost = v.video().lost() + v.audio().lost();
    lost += viewer_lost;
    expected += v.video().expected() + v.audio().expected();
    std::string error = v.error;
    if (error.empty() && v.failed()) error = std::string("transport ") + transport::ToString(*v.ended());
    std::printf("%-6zu %9.1f %12.1f %14.1f %9llu %9llu %6llu %s\n", i + 1, Ms(v.post_us, v.answer_us),
                Ms(v.post_us, v.connected_us()), join, static_cast<unsigned long long>(v.video().packets),
                static_cast<unsigned long long>(v.audio().packets),
                static_cast<unsigned long long>(viewer_lost), error.c_str());
  }
  double window_s = static_cast<double>(window_end_us_ - window_start_us_) / 1e6;
  double rx_total = 0;
  for (size_t i = 0; i < window_end_packets_.size() && i < window_start_packets_.size(); ++i) {
    rx_total += static_cast<double>(window_end_packets_[i] - window_start_packets_[i]);
  }
  double n = static_cast<double>(std::max<size_t>(viewers_.size(), 1));
  std::printf("viewers=%zu with_video=%zu rx_pps_per_viewer=%.1f lost=%llu expected=%llu loss_pct=%.3f\n",
              viewers_.size(), with_video, window_s > 0 ? rx_total / window_s / n : 0,
              static_cast<unsigned long long>(lost), static_cast<unsigned long long>(expected),
              expected ? 100.0 * static_cast<double>(lost) / static_cast<double>(expected) : 0);
  if (publisher_) {
    std::printf("publisher packets_sent=%llu keyframe_requests=%llu\n",
                static_cast<unsigned long long>(publisher_->packets_sent()),
                static_cast<unsigned long long>(publisher_->keyframe_requests()));
  }
  // The figures.
  double rss_per_viewer_kib = -1;
  if (before_viewers_ && after_handshake_) {
    rss_per_viewer_kib = (after_handshake_->resident_bytes - before_viewers_->resident_bytes) / n / 1024.0;
  }
  double cpu_us = -1;
  double forwarded_pps = -1;
  if (window_start_ && window_end_ && window_s > 0) {
    double forwarded = window_end_->packets_forwarded - window_start_->packets_forwarded;
    forwarded_pps = forwarded / window_s;
    if (window_end_->has_cpu && forwarded > 0) {
      cpu_us = (window_end_->cpu_seconds - window_start_->cpu_seconds) * 1e6 / forwarded;
    }
  }
  std::printf(
      "rss_per_viewer_kib=%.1f cpu_us_per_forwarded_packet=%.3f forwarded_pps=%.0f join_p50_ms=%.1f "
      "join_p95_ms=%.1f\n",
      rss_per_viewer_kib, cpu_us, forwarded_pps, Percentile(joins, 50), Percentile(joins, 95));
  std::fflush(stdout);
  if (with_video != viewers_.size()) {
    std::cerr << "loadgen: " << viewers_.size() - with_video << " of " << viewers_.size()
              << " viewers received no video\n";
    exit_code_ = 1;
  }

  if (!through_control()) return EndSessions();
  Fetch("/api/nodes", [this](const HttpClientResponse& response) {
    std::map<std::string, std::string> names;  // http_url -> node id
    auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (response.status == 200 && json.is_object() && json.contains("nodes") && json["nodes"].is_array()) {
      for (const auto& node : json["nodes"]) {
        if (node.is_object() && node.value("http_url", "") != "")
          names[node["http_url"]] = node.value("id", "");
      }
    }
    PrintPerEdge(names);
    EndSessions();
  });
}

void LoadGenerator::PrintPerEdge(const std::map<std::string, std::string>& names) {
  auto name = [&](const std::string& url) {
    auto it = names.find(url);
    return it != names.end() && !it->second.empty() ? it->second : (url.empty() ? "none" : url);
  };
  if (publisher_) std::printf("publisher edge=%s\n", name(publisher_->edge_url).c_str());
  std::map<std::string, std::vector<const WebRtcClient*>> by_edge;
  for (const auto& v : viewers_) by_edge[v->edge_url].push_back(v.get());
  for (const auto& [url, viewers] : by_edge) {
    std::vector<double> joins;
    uint64_t lost = 0;
    uint64_t expected = 0;
    for (const auto* v : viewers) {
      if (v->first_video_us() != 0) joins.push_back(Ms(v->post_us, v->first_video_us()));
      lost += v->video().lost() + v->audio().lost();
      expected += v->video().expected() + v->audio().expected();
    }
    std::printf("edge=%s viewers=%zu with_video=%zu lost=%llu expected=%llu loss_pct=%.3f join_p50_ms=%.1f\n",
                name(url).c_str(), viewers.size(), joins.size(), static_cast<unsigned long long>(lost),
                static_cast<unsigned long long>(expected),
                expected ? 100.0 * static_cast<double>(lost) / static_cast<double>(expected) : 0,
                Percentile(joins, 50));
  }
  std::fflush(stdout);
}

void LoadGenerator::EndSessions() {
  // End every session (DELETE) at the edge that holds it, then stop.
  auto remaining = std::make_shared<size_t>(0);
  auto end_session = [&](WebRtcClient& client, const std::string& token) {
    if (client.location.empty()) return;
    ++*remaining;
    HttpClientRequest request;
    request.method = "DELETE";
    request.target = client.location;
    request.headers = {{"Authorization", "Bearer " + token}};
    ClientFor(client.edge_url.empty() ? base_url_ : client.edge_url)
        .Send(std::move(request), [this, remaining](const HttpClientResponse&) {
          if (--*remaining == 0) loop_.Stop();
        });
  };
  for (auto& v : viewers_) end_session(*v, options_.watch_token);
  if (publisher_) end_session(*publisher_, options_.publish_token);
  if (*remaining == 0) loop_.Stop();
  After(5000, [this] { loop_.Stop(); });
}

int LoadGenerator::Run() {
  fast_timer_ = std::make_unique<net::Timer>(loop_, [this] {
    if (publisher_) publisher_->OnFastTick();
    for (auto& v : viewers_) v->OnFastTick();
  });
  fast_timer_->Start(10, 10);
  slow_timer_ = std::make_unique<net::Timer>(loop_, [this] {
    uint64_t now_ms = loop_.clock().NowMs();
    if (publisher_) publisher_->OnSlowTick(now_ms);
    for (auto& v : viewers_) v->OnSlowTick(now_ms);
  });
  slow_timer_->Start(500, 500);

  auto begin_viewers = [this] {
    Scrape([this](std::optional<EdgeSnapshot> snapshot) {
      if (!snapshot && !through_control())
        return Fail("GET /metrics on the edge failed or lacks the expected samples");
      before_viewers_ = snapshot;
      StartViewers();
    });
  };
  GetTokens([this, begin_viewers] {
    if (options_.publish) {
      StartPublisher(begin_viewers);
    } else {
      begin_viewers();
    }
  });
  loop_.Run();
  return exit_code_;
}

}  // namespace cascade::loadgen
