#include "tests/edge/EdgeHarness.hpp"

#include "core/base/Clock.hpp"
#include "core/dtls/Certificate.hpp"
#include "tests/RunLoop.hpp"

namespace cascade::edge::test {

EdgeHarness::EdgeHarness(const std::vector<std::string>& settings) {
  base::Config config;
  config.Set("http.listen", "127.0.0.1:0", "test");
  config.Set("media.listen", "127.0.0.1:0", "test");
  config.Set("auth.secret", kTestSecret, "test");
  // Any valid fingerprint: the control plane is never contacted (Run() is not called).
  config.Set("control.fingerprint", dtls::Certificate::Generate("control")->fingerprint().ToString(), "test");
  for (const auto& line : settings) config.Set(line, "test");
  config.RejectUnknownKeys(EdgeOptions::KnownKeys());
  node_ = std::make_unique<EdgeNode>(media::NodeSettings::FromConfig(config, control::NodeRole::kEdge),
                                     EdgeOptions::FromConfig(config));
  http_ = std::make_unique<loadgen::HttpClient>(loop(), node_->http_address());
}

EdgeHarness::~EdgeHarness() {
  http_.reset();
  node_.reset();
}

std::string EdgeHarness::Token(const std::string& room, auth::TokenRole role, const std::string& id) const {
  return tokens_.Issue({room, role, base::WallClockUs() / 1'000'000 + 600, id});
}

loadgen::HttpClientResponse EdgeHarness::Request(const std::string& method, const std::string& target,
                                                 std::vector<std::pair<std::string, std::string>> headers,
                                                 std::string body) {
  loadgen::HttpClientRequest request;
  request.method = method;
  request.target = target;
  request.headers = std::move(headers);
  request.body = std::move(body);
  loadgen::HttpClientResponse out;
  bool done = false;
  http_->Send(request, [&](const loadgen::HttpClientResponse& response) {
    out = response;
    done = true;
  });
  RunUntil([&] { return done; });
  return out;
}

loadgen::HttpClientResponse EdgeHarness::PostOffer(bool publish, const std::string& room,
                                                   const std::string& offer) {
  return Request("POST", (publish ? "/whip/" : "/whep/") + room,
                 {{"Content-Type", "application/sdp"},
                  {"Authorization",
                   "Bearer " + Token(room, publish ? auth::TokenRole::kPublish : auth::TokenRole::kWatch)}},
                 offer);
}

loadgen::HttpClientResponse EdgeHarness::Patch(const std::string& location, const std::string& room,
                                               auth::TokenRole role, const std::string& body,
                                               const std::string& if_match, const std::string& content_type) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", content_type}, {"Authorization", "Bearer " + Token(room, role)}};
  if (!if_match.empty()) headers.emplace_back("If-Match", if_match);
  return Request("PATCH", location, std::move(headers), body);
}

std::string EdgeHarness::Metrics() { return Request("GET", "/metrics", {}).body; }

void EdgeHarness::RunFor(uint64_t ms) {
  cascade::test::RunUntil(
      loop(), [] { return false; }, ms);
}

bool EdgeHarness::RunUntil(const std::function<bool()>& done, uint64_t timeout_ms) {
  cascade::test::RunUntil(loop(), done, timeout_ms);
  return done();
}

std::vector<std::string> HeaderValues(const loadgen::HttpClientResponse& response, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [key, value] : response.headers) {
    if (key == name) out.push_back(value);
  }
  return out;
}

}  // namespace cascade::edge::test
