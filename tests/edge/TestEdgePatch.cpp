// WHIP/WHEP PATCH (RFC 9725 §4.3) and Link headers (§4.6) against a real EdgeNode on loopback.
#include <doctest/doctest.h>

#include "core/sctp/SctpLibrary.hpp"
#include "core/sdp/SdpFragment.hpp"
#include "tests/edge/EdgeHarness.hpp"
#include "tests/edge/PublisherPeer.hpp"
#include "tests/edge/ViewerPeer.hpp"

using namespace cascade;
using namespace cascade::edge;
using namespace cascade::edge::test;

namespace {

// A viewer (and publisher) connected to one room, media flowing.
struct LiveRoom {
  explicit LiveRoom(EdgeHarness& edge, const std::string& room, bool viewer_over_tcp = false)
      : edge(edge), room(room), publisher(edge.loop()), viewer(edge.loop()) {
    auto published = edge.PostOffer(true, room, publisher.client().Offer());
    REQUIRE(published.status == 201);
    std::string error;
    REQUIRE(publisher.client().Start(published.body, error));
    auto watched = edge.PostOffer(false, room, viewer.Offer());
    REQUIRE(watched.status == 201);
    location = std::string(watched.Header("location"));
    etag = std::string(watched.Header("etag"));
    answer = watched.body;
    REQUIRE(viewer.Start(watched.body, viewer_over_tcp) == "");
    REQUIRE(edge.RunUntil([&] { return viewer.rtp_packets() > 20; }, 10000));
  }
  EdgeHarness& edge;
  std::string room;
  PublisherPeer publisher;
  ViewerPeer viewer;
  std::string location;
  std::string etag;
  std::string answer;
};

}  // namespace

TEST_CASE("PATCH: trickle is 204, restart is 200 with new credentials, and media carries on") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge;
  LiveRoom live(edge, "patch-room");
  CHECK(live.etag.size() > 2);

  // Trickle: the client's current credentials, the current ETag.
  auto trickle =
      edge.Patch(live.location, live.room, auth::TokenRole::kWatch, live.viewer.TrickleFragment(), live.etag);
  CHECK(trickle.status == 204);
  CHECK(trickle.body.empty());
  // Trickle with If-Match: * is refused: only restarts may use it.
  CHECK(edge.Patch(live.location, live.room, auth::TokenRole::kWatch, live.viewer.TrickleFragment(), "*")
            .status == 412);

  // Restart: new client credentials, If-Match: *.
  const std::string old_ufrag = live.viewer.ice_ufrag();
  auto restart =
      edge.Patch(live.location, live.room, auth::TokenRole::kWatch, live.viewer.BeginIceRestart(), "*");
  REQUIRE(restart.status == 200);
  CHECK(restart.Header("content-type") == "application/trickle-ice-sdpfrag");
  const std::string new_etag(restart.Header("etag"));
  CHECK(!new_etag.empty());
  CHECK(new_etag != live.etag);
  auto answer = sdp::ParseSdpFragment(restart.body);
  REQUIRE(answer.ok());
  CHECK(answer->ice_lite);
  REQUIRE(answer->ice_ufrag);
  REQUIRE(answer->ice_pwd);
  REQUIRE(answer->media.size() == 1);
  CHECK(answer->media[0].mid == "0");
  CHECK(answer->media[0].end_of_candidates);
  CHECK(answer->media[0].candidates.size() == 2);  // UDP and passive TCP
  CHECK(live.answer.find("a=ice-ufrag:" + *answer->ice_ufrag) == std::string::npos);

  // The client restarts with what the PATCH gave it: its checks with the new credentials
  // succeed (the edge routes them by the new ufrag) and media keeps coming, DTLS untouched.
  auto restarted = [&] {
    const uint64_t checks = live.viewer.transport()->checks_succeeded();
    const uint64_t packets = live.viewer.rtp_packets();
    return edge.RunUntil([&] {
      return live.viewer.transport()->checks_succeeded() >= checks + 3 &&
             live.viewer.rtp_packets() >= packets + 50;
    });
  };
  live.viewer.CompleteIceRestart(*answer->ice_ufrag, *answer->ice_pwd);
  CHECK(live.viewer.ice_ufrag() != old_ufrag);
  CHECK(restarted());
  CHECK(live.viewer.drops().Get(transport::TransportDrop::kStunBadIntegrity) == 0);

  // A second restart may name the current ETag instead of `*`.
  auto second =
      edge.Patch(live.location, live.room, auth::TokenRole::kWatch, live.viewer.BeginIceRestart(), new_etag);
  REQUIRE(second.status == 200);
  auto second_answer = sdp::ParseSdpFragment(second.body);
  REQUIRE(second_answer.ok());
  live.viewer.CompleteIceRestart(*second_answer->ice_ufrag, *second_answer->ice_pwd);
  CHECK(restarted());
  CHECK(!live.viewer.ended());

  // The ETags before the restarts no longer match: a late trickle for an old ICE session.
  CHECK(
      edge.Patch(live.location, live.room, auth::TokenRole::kWatch, live.viewer.TrickleFragment(), live.etag)
          .status == 412);
  CHECK(edge.Patch(live.location, live.room, auth::TokenRole::kWatch, live.viewer.TrickleFragment(), new_etag)
            .status == 412);
  CHECK(edge.Patch(live.location, live.room, auth::TokenRole::kWatch, live.viewer.TrickleFragment(),
                   std::string(second.Header("etag")))
            .status == 204);

  std::string metrics = edge.Metrics();
  CHECK(metrics.find("cascade_edge_ice_patches_total{result=\"restart\"} 2") != std::string::npos);
  CHECK(metrics.find("cascade_edge_ice_patches_total{result=\"trickle\"} 2") != std::string::npos);
}

TEST_CASE("PATCH errors: 415, 404, 400, 412, 401") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge;
  ViewerPeer viewer(edge.loop());
  auto watched = edge.PostOffer(false, "errors", viewer.Offer());
  REQUIRE(watched.status == 201);
  const std::string location(watched.Header("location"));
  const std::string body = viewer.TrickleFragment();

  auto wrong_type = edge.Patch(location, "errors", auth::TokenRole::kWatch, body, "", "application/sdp");
  CHECK(wrong_type.status == 415);
  CHECK(wrong_type.body.find("application/trickle-ice-sdpfrag") != std::string::npos);
  CHECK(edge.Patch("/whep/errors/000000000000000000000000", "errors", auth::TokenRole::kWatch, body, "")
            .status == 404);
  // The session exists, but as a WHEP resource only.
  CHECK(edge.Patch("/whip" + location.substr(5), "errors", auth::TokenRole::kPublish, body, "").status ==
        404);
  auto garbage = edge.Patch(location, "errors", auth::TokenRole::kWatch, "\x01\x02garbage", "");
  CHECK(garbage.status == 400);
  CHECK(garbage.body.find("malformed trickle-ice-sdpfrag") != std::string::npos);
  auto no_pwd = edge.Patch(location, "errors", auth::TokenRole::kWatch, "a=ice-ufrag:zzzz\r\n", "*");
  CHECK(no_pwd.status == 400);
  CHECK(no_pwd.body.find("without a=ice-pwd") != std::string::npos);
  CHECK(edge.Patch(location, "errors", auth::TokenRole::kWatch, body, "\"not-the-etag\"").status == 412);
  auto unauthorized =
      edge.Request("PATCH", location, {{"Content-Type", "application/trickle-ice-sdpfrag"}}, body);
  CHECK(unauthorized.status == 401);
  // The preflight now offers PATCH, and If-Match may be sent.
  auto preflight = edge.Request("OPTIONS", location, {{"Origin", "http://example.org"}});
  CHECK(preflight.status == 204);
  CHECK(preflight.Header("access-control-allow-methods").find("PATCH") != std::string::npos);
  CHECK(preflight.Header("access-control-allow-headers").find("If-Match") != std::string::npos);

  std::string metrics = edge.Metrics();
  CHECK(metrics.find("cascade_edge_ice_patches_total{result=\"rejected\"} 7") != std::string::npos);
  CHECK(edge.Request("DELETE", location,
                     {{"Authorization", "Bearer " + edge.Token("errors", auth::TokenRole::kWatch)}})
            .status == 200);
  CHECK(edge.Patch(location, "errors", auth::TokenRole::kWatch, body, "").status == 404);
}

TEST_CASE("201 carries Accept-Patch, and Link headers exactly when ice.servers is set") {
  sctp::SctpLibrary::Ref sctp_library;
  {
    EdgeHarness edge;
    ViewerPeer viewer(edge.loop());
    auto watched = edge.PostOffer(false, "links", viewer.Offer());
    REQUIRE(watched.status == 201);
    CHECK(watched.Header("accept-patch") == "application/trickle-ice-sdpfrag");
    CHECK(HeaderValues(watched, "link").empty());
  }
  {
    EdgeHarness edge({"ice.servers=stun:stun.example.net:3478,turn:turn.example.net?transport=udp",
                      "ice.username=alice", "ice.credential=wonderland"});
    ViewerPeer viewer(edge.loop());
    auto watched = edge.PostOffer(false, "links", viewer.Offer());
    REQUIRE(watched.status == 201);
    auto links = HeaderValues(watched, "link");
    REQUIRE(links.size() == 2);
    CHECK(links[0] == "<stun:stun.example.net:3478>; rel=\"ice-server\"");
    CHECK(links[1] ==
          "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; username=\"alice\"; "
          "credential=\"wonderland\"; credential-type=\"password\"");
    PublisherPeer publisher(edge.loop());
    auto published = edge.PostOffer(true, "links", publisher.client().Offer());
    REQUIRE(published.status == 201);
    CHECK(HeaderValues(published, "link").size() == 2);
  }
}
