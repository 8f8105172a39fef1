// A WHIP/WHEP resource belongs to the token that created it (RFC 9725 §4.7 leaves the
// policy to the server): another holder of a valid token for the same room, or a token of
// the other role, may neither PATCH, DELETE nor set the layer of it, and each refusal is
// counted as not_resource_owner or wrong_role.
#include <doctest/doctest.h>

#include "core/sctp/SctpLibrary.hpp"
#include "tests/edge/EdgeHarness.hpp"
#include "tests/edge/PublisherPeer.hpp"
#include "tests/edge/ViewerPeer.hpp"

using namespace cascade;
using namespace cascade::edge;
using namespace cascade::edge::test;

namespace {

std::vector<std::pair<std::string, std::string>> Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace

TEST_CASE("Only the token that created a session may end it, change it or set its layer") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge;
  PublisherPeer publisher(edge.loop());
  auto published = edge.PostOffer(true, "owned", publisher.client().Offer());
  REQUIRE(published.status == 201);
  std::string error;
  REQUIRE(publisher.client().Start(published.body, error));
  ViewerPeer viewer(edge.loop());
  auto watched = edge.PostOffer(false, "owned", viewer.Offer());
  REQUIRE(watched.status == 201);
  REQUIRE(viewer.Start(watched.body, false) == "");
  const std::string whip(published.Header("location"));
  const std::string whep(watched.Header("location"));

  // A viewer's token (same room, valid) cannot end the publisher's session.
  auto by_viewer = edge.Request("DELETE", whip, Bearer(edge.Token("owned", auth::TokenRole::kWatch)));
  CHECK(by_viewer.status == 403);
  CHECK(by_viewer.body.find("created with a publish token") != std::string::npos);
  // Another publisher's token cannot either, nor change its ICE.
  const std::string other_publisher = edge.Token("owned", auth::TokenRole::kPublish, "someone-else");
  auto by_other = edge.Request("DELETE", whip, Bearer(other_publisher));
  CHECK(by_other.status == 403);
  CHECK(by_other.body.find("only the token that created this session") != std::string::npos);
  auto patch = edge.Request(
      "PATCH", whip,
      {{"Authorization", "Bearer " + other_publisher}, {"Content-Type", "application/trickle-ice-sdpfrag"}},
      "a=ice-ufrag:abcd\r\na=ice-pwd:aaaaaaaaaaaaaaaaaaaaaa\r\n");
  CHECK(patch.status == 403);
  // Another viewer's token cannot set this viewer's layer or end its session.
  const std::string other_viewer = edge.Token("owned", auth::TokenRole::kWatch, "another-viewer");
  CHECK(edge.Request("PUT", whep + "/layer", Bearer(other_viewer), "low").status == 403);
  CHECK(edge.Request("DELETE", whep, Bearer(other_viewer)).status == 403);

  std::string metrics = edge.Metrics();
  CHECK(metrics.find("cascade_edge_auth_refusals_total{reason=\"not_resource_owner\"} 4\n") !=
        std::string::npos);
  CHECK(metrics.find("cascade_edge_auth_refusals_total{reason=\"wrong_role\"} 1\n") != std::string::npos);

  // The owners can.
  CHECK(edge.Request("PUT", whep + "/layer", Bearer(edge.Token("owned", auth::TokenRole::kWatch)), "low")
            .status == 200);
  CHECK(edge.Request("DELETE", whep, Bearer(edge.Token("owned", auth::TokenRole::kWatch))).status == 200);
  CHECK(edge.Request("DELETE", whip, Bearer(edge.Token("owned", auth::TokenRole::kPublish))).status == 200);
}
