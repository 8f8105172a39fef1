#pragma once
// A real EdgeNode on loopback inside the test process (HTTP and media on free ports, the
// control plane never contacted), with a blocking HTTP helper and tokens for its rooms. Every
// peer runs on the edge's own loop, so one thread steps them all.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/Config.hpp"
#include "edge/EdgeNode.hpp"
#include "tools/loadgen/HttpClient.hpp"

namespace cascade::edge::test {

inline constexpr const char* kTestSecret = "edge-test-secret-0123456789";

class EdgeHarness {
 public:
  // `settings`: extra config lines ("ice.servers=stun:..."), applied over the test defaults.
  explicit EdgeHarness(const std::vector<std::string>& settings = {});
  ~EdgeHarness();

  EdgeNode& node() { return *node_; }
  net::Loop& loop() { return node_->runtime().loop(); }
  // A token with id "test" (every call: the same holder), or `id`.
  std::string Token(const std::string& room, auth::TokenRole role, const std::string& id = "test") const;

  // Sends one request and runs the loop until its answer (or a 5 s timeout: status 0).
  loadgen::HttpClientResponse Request(const std::string& method, const std::string& target,
                                      std::vector<std::pair<std::string, std::string>> headers,
                                      std::string body = "");
  // POST an offer to /whip/{room} or /whep/{room} with a token of the right role.
  loadgen::HttpClientResponse PostOffer(bool publish, const std::string& room, const std::string& offer);
  // PATCH a session resource with a trickle-ice-sdpfrag body, the room's token and If-Match.
  loadgen::HttpClientResponse Patch(const std::string& location, const std::string& room,
                                    auth::TokenRole role, const std::string& body,
                                    const std::string& if_match,
                                    const std::string& content_type = "application/trickle-ice-sdpfrag");
  std::string Metrics();
  // Runs the loop for `ms` milliseconds.
  void RunFor(uint64_t ms);
  // Runs the loop until `done()` or `timeout_ms`; returns done().
  bool RunUntil(const std::function<bool()>& done, uint64_t timeout_ms = 5000);

 private:
  std::unique_ptr<EdgeNode> node_;
  std::unique_ptr<loadgen::HttpClient> http_;
  auth::TokenAuthority tokens_{kTestSecret};
};

// Every value of one header (names are lower-case in HttpClientResponse).
std::vector<std::string> HeaderValues(const loadgen::HttpClientResponse& response, std::string_view name);

}  // namespace cascade::edge::test
