// The load an edge reports to control: its real sessions and users, through a real
// ControlClient and ControlServer on the edge's loop.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "control/client/ControlClient.hpp"
#include "control/server/ControlServer.hpp"
#include "core/net/HttpServer.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "tests/edge/EdgeHarness.hpp"
#include "tests/edge/PublisherPeer.hpp"
#include "tests/edge/ViewerPeer.hpp"

using namespace cascade;
using namespace cascade::edge;
using namespace cascade::edge::test;

TEST_CASE("An edge with a publisher and N viewers reports N+1 sessions and users; /api/nodes shows them") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge;
  auto control_certificate = dtls::Certificate::Generate("control");
  base::MetricsRegistry control_metrics;
  control::ControlServer::Options options;
  options.heartbeat_interval_ms = 50;
  control::ControlServer server(edge.loop(), *net::SocketAddress::Parse("127.0.0.1", 0), *control_certificate,
                                options, control_metrics);
  net::HttpServer control_http(edge.loop(), *net::SocketAddress::Parse("127.0.0.1", 0));
  server.AddRoutes(control_http.router());
  // The edge's own runtime answers the heartbeats (its control link is pointed here
  // instead of the configured address, which the harness never dials).
  control::NodeHello hello;
  hello.node_id = "edge-load";
  control::ControlClient client(edge.loop(), &edge.node().runtime(), server.channel_address(),
                                control_certificate->fingerprint(), hello);
  client.Start();

  constexpr uint32_t kViewers = 3;
  PublisherPeer publisher(edge.loop());
  REQUIRE(edge.PostOffer(true, "load", publisher.client().Offer()).status == 201);
  std::vector<std::unique_ptr<ViewerPeer>> viewers;
  for (uint32_t i = 0; i < kViewers; ++i) {
    viewers.push_back(std::make_unique<ViewerPeer>(edge.loop()));
    REQUIRE(edge.PostOffer(false, "load", viewers.back()->Offer()).status == 201);
  }
  auto reported = [&] {
    auto it = server.registry().nodes().find("edge-load");
    return it == server.registry().nodes().end() ? control::NodeLoad{} : it->second.load;
  };
  REQUIRE(edge.RunUntil([&] { return reported().sessions == kViewers + 1; }));
  CHECK(reported().sessions == kViewers + 1);
  CHECK(reported().users == kViewers + 1);
  CHECK(reported().rss_bytes > 0);

  loadgen::HttpClient http(edge.loop(), control_http.local_address());
  loadgen::HttpClientRequest request;
  request.method = "GET";
  request.target = "/api/nodes";
  loadgen::HttpClientResponse response;
  bool done = false;
  http.Send(request, [&](const loadgen::HttpClientResponse& r) {
    response = r;
    done = true;
  });
  REQUIRE(edge.RunUntil([&] { return done; }));
  REQUIRE(response.status == 200);
  auto nodes = nlohmann::json::parse(response.body)["nodes"];
  REQUIRE(nodes.size() == 1);
  CHECK(nodes[0]["load"]["sessions"] == kViewers + 1);
  CHECK(nodes[0]["load"]["users"] == kViewers + 1);
  CHECK(nodes[0]["ssrc_range_size"] == control::SsrcRanges::kSize);
}
