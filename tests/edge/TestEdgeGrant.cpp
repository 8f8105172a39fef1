// Placement grants (RFC 9725 §4.5 redirects, §4.7 auth): the offer POST that follows
// control's 307 carries `?grant=` and no Authorization header, as a browser sends it.
#include <doctest/doctest.h>

#include "auth/PlacementGrant.hpp"
#include "core/base/Clock.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "tests/edge/EdgeHarness.hpp"
#include "tests/edge/PublisherPeer.hpp"
#include "tests/edge/ViewerPeer.hpp"

using namespace cascade;
using namespace cascade::edge;
using namespace cascade::edge::test;

namespace {

constexpr const char* kEdgeId = "edge-grant-test";

uint64_t Now() { return base::WallClockUs() / 1'000'000; }

std::string Grant(const std::string& room, auth::TokenRole role, const std::string& edge,
                  uint64_t expires_at_s) {
  // The id of the token control checked: EdgeHarness's tokens carry "test", so the client that
  // posted with this grant can end its session with its own token.
  return auth::GrantAuthority(kTestSecret).Issue({room, role, edge, "test", expires_at_s});
}

loadgen::HttpClientResponse PostWithGrant(EdgeHarness& edge, bool publish, const std::string& room,
                                          const std::string& grant, const std::string& offer,
                                          std::vector<std::pair<std::string, std::string>> extra = {}) {
  extra.emplace_back("Content-Type", "application/sdp");
  return edge.Request("POST", std::string(publish ? "/whip/" : "/whep/") + room + "?grant=" + grant,
                      std::move(extra), offer);
}

bool HasRefusal(EdgeHarness& edge, const std::string& reason, int count) {
  return edge.Metrics().find("cascade_edge_auth_refusals_total{reason=\"" + reason + "\"} " +
                             std::to_string(count) + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("The edge accepts a placement grant for itself in place of the bearer token") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge({std::string("node.id=") + kEdgeId});
  PublisherPeer publisher(edge.loop());
  auto published =
      PostWithGrant(edge, true, "granted", Grant("granted", auth::TokenRole::kPublish, kEdgeId, Now() + 30),
                    publisher.client().Offer());
  INFO(published.body);
  REQUIRE(published.status == 201);
  std::string error;
  REQUIRE(publisher.client().Start(published.body, error));

  ViewerPeer viewer(edge.loop());
  auto watched = PostWithGrant(
      edge, false, "granted", Grant("granted", auth::TokenRole::kWatch, kEdgeId, Now() + 30), viewer.Offer());
  REQUIRE(watched.status == 201);
  REQUIRE(viewer.Start(watched.body, false) == "");
  CHECK(edge.RunUntil([&] { return viewer.rtp_packets() > 10; }, 10000));
  CHECK(edge.Metrics().find("cascade_edge_auth_accepted_total{by=\"grant\"} 2\n") != std::string::npos);
  // The session's own resource still needs the token: a grant is for the offer only.
  const std::string location(watched.Header("location"));
  CHECK(edge.Request("DELETE",
                     location + "?grant=" + Grant("granted", auth::TokenRole::kWatch, kEdgeId, Now() + 30),
                     {})
            .status == 401);
  CHECK(edge.Request("DELETE", location,
                     {{"Authorization", "Bearer " + edge.Token("granted", auth::TokenRole::kWatch)}})
            .status == 200);
}

TEST_CASE("The edge refuses grants for another edge, room or role, expired or forged, and counts why") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge({std::string("node.id=") + kEdgeId});
  ViewerPeer viewer(edge.loop());
  const std::string offer = viewer.Offer();
  struct Case {
    std::string grant;
    std::string reason;
  };
  const Case cases[] = {
      {Grant("room", auth::TokenRole::kWatch, "edge-other", Now() + 30), "grant_wrong_edge"},
      {Grant("other-room", auth::TokenRole::kWatch, kEdgeId, Now() + 30), "grant_wrong_room"},
      {Grant("room", auth::TokenRole::kPublish, kEdgeId, Now() + 30), "grant_wrong_role"},
      {Grant("room", auth::TokenRole::kWatch, kEdgeId, Now() - 1), "grant_expired"},
      {auth::GrantAuthority("some-other-secret-0123")
           .Issue({"room", auth::TokenRole::kWatch, kEdgeId, "t", Now() + 30}),
       "grant_bad_signature"},
      {"not-a-grant", "grant_malformed"},
  };
  for (const auto& c : cases) {
    auto refused = PostWithGrant(edge, false, "room", c.grant, offer);
    INFO(c.reason << ": " << refused.body);
    CHECK(refused.status == 401);
    CHECK(refused.body.find(c.reason) != std::string::npos);
    CHECK(HasRefusal(edge, c.reason, 1));
  }
  // A re-sent Authorization header (OBS, GStreamer) decides over the grant: a bad token is
  // refused even with a good grant, a good token passes with a grant for another edge.
  auto bad_token =
      PostWithGrant(edge, false, "room", Grant("room", auth::TokenRole::kWatch, kEdgeId, Now() + 30), offer,
                    {{"Authorization", "Bearer forged.token"}});
  CHECK(bad_token.status == 401);
  CHECK(HasRefusal(edge, "bad_signature", 1));
  auto good_token =
      PostWithGrant(edge, false, "room", Grant("room", auth::TokenRole::kWatch, "edge-other", Now() + 30),
                    offer, {{"Authorization", "Bearer " + edge.Token("room", auth::TokenRole::kWatch)}});
  CHECK(good_token.status == 201);
  CHECK(edge.Request("POST", "/whep/room", {{"Content-Type", "application/sdp"}}, offer).status == 401);
  CHECK(HasRefusal(edge, "missing_token", 1));
}
