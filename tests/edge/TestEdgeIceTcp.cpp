// Passive ICE-TCP (RFC 6544) against a real EdgeNode: a viewer that only speaks TCP gets the
// publisher's media; junk on the TCP port is counted and harms nobody; teardown closes the
// session's connections.
#include <doctest/doctest.h>

#include <array>

#include "core/net/TcpConnection.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "core/sdp/SdpParser.hpp"
#include "tests/edge/EdgeHarness.hpp"
#include "tests/edge/PublisherPeer.hpp"
#include "tests/edge/ViewerPeer.hpp"

using namespace cascade;
using namespace cascade::edge;
using namespace cascade::edge::test;

namespace {

struct RawTcp : net::TcpConnection::Listener {
  void OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t>) override {}
  void OnTcpConnectionClosed(net::TcpConnection*) override { closed = true; }
  std::unique_ptr<net::TcpConnection> connection;
  bool closed = false;
};

void Connect(EdgeHarness& edge, RawTcp& raw, const net::SocketAddress& to) {
  net::TcpConnection::Connect(edge.loop(), to,
                              [&](std::unique_ptr<net::TcpConnection> connection, int status) {
                                REQUIRE(status == 0);
                                raw.connection = std::move(connection);
                                raw.connection->Start(&raw);
                              });
  REQUIRE(edge.RunUntil([&] { return raw.connection != nullptr; }));
}

}  // namespace

TEST_CASE("ICE-TCP: the answer offers a passive TCP candidate on the media port, below UDP") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge;
  REQUIRE(edge.node().ice_tcp());
  ViewerPeer viewer(edge.loop());
  auto watched = edge.PostOffer(false, "tcp-sdp", viewer.Offer());
  REQUIRE(watched.status == 201);
  auto answer = sdp::ParseSdp(watched.body);
  REQUIRE(answer.ok());
  const auto& candidates = answer->media.front().candidates;
  REQUIRE(candidates.size() == 2);
  CHECK(candidates[0].transport == "udp");
  CHECK(candidates[1].transport == "tcp");
  CHECK(candidates[1].tcp_type == "passive");
  CHECK(candidates[1].port == candidates[0].port);
  CHECK(candidates[1].port == edge.node().ice_tcp()->local_address().port());
  CHECK(candidates[1].priority < candidates[0].priority);

  EdgeHarness udp_only({"media.tcp=false"});
  CHECK(!udp_only.node().ice_tcp());
  ViewerPeer other(udp_only.loop());
  auto plain = udp_only.PostOffer(false, "tcp-sdp", other.Offer());
  REQUIRE(plain.status == 201);
  CHECK(plain.body.find("tcptype") == std::string::npos);
}

TEST_CASE("ICE-TCP: a TCP-only viewer completes DTLS and gets SRTP media; DELETE closes its connection") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge;
  PublisherPeer publisher(edge.loop());
  auto published = edge.PostOffer(true, "tcp-room", publisher.client().Offer());
  REQUIRE(published.status == 201);
  std::string error;
  REQUIRE(publisher.client().Start(published.body, error));

  ViewerPeer viewer(edge.loop());
  auto watched = edge.PostOffer(false, "tcp-room", viewer.Offer());
  REQUIRE(watched.status == 201);
  REQUIRE(viewer.Start(watched.body, /*over_tcp=*/true) == "");
  REQUIRE(edge.RunUntil([&] { return viewer.connected() && viewer.rtp_packets() > 50; }, 10000));
  // Everything went over the TCP connection.
  REQUIRE(viewer.tcp_connection() != nullptr);
  CHECK(viewer.transport()->selected_tcp_connection() == viewer.tcp_connection());
  CHECK(!viewer.transport()->selected_address());
  const auto& port = *edge.node().ice_tcp();
  CHECK(port.server().stats().accepted == 1);
  CHECK(port.server().connections() == 1);
  CHECK(port.routed() >= 1);
  CHECK(port.unroutable().Total() == 0);

  // An ICE restart over the same TCP connection keeps the media coming.
  auto restart = edge.Patch(std::string(watched.Header("location")), "tcp-room", auth::TokenRole::kWatch,
                            viewer.BeginIceRestart(), "*");
  REQUIRE(restart.status == 200);
  auto fragment = sdp::ParseSdpFragment(restart.body);
  REQUIRE(fragment.ok());
  viewer.CompleteIceRestart(*fragment->ice_ufrag, *fragment->ice_pwd);
  const uint64_t packets = viewer.rtp_packets();
  const uint64_t checks = viewer.transport()->checks_succeeded();
  CHECK(edge.RunUntil([&] {
    return viewer.rtp_packets() > packets + 50 && viewer.transport()->checks_succeeded() > checks + 2;
  }));

  std::string metrics = edge.Metrics();
  CHECK(metrics.find("cascade_edge_ice_tcp_accepted_total 1") != std::string::npos);
  CHECK(metrics.find("cascade_edge_ice_tcp_connections 1") != std::string::npos);

  // DELETE: the session's transport goes, and with it the TCP connection it had bound.
  auto deleted =
      edge.Request("DELETE", std::string(watched.Header("location")),
                   {{"Authorization", "Bearer " + edge.Token("tcp-room", auth::TokenRole::kWatch)}});
  CHECK(deleted.status == 200);
  CHECK(edge.RunUntil([&] { return viewer.tcp_closed() && port.server().connections() == 0; }));
}

TEST_CASE("ICE-TCP: junk on the port is counted, closes only its connection, and binds nothing") {
  sctp::SctpLibrary::Ref sctp_library;
  EdgeHarness edge;
  const net::SocketAddress address = edge.node().ice_tcp()->local_address();
  const auto& port = *edge.node().ice_tcp();

  RawTcp garbage;  // a frame that is no STUN, DTLS, RTP or RTCP: the framing is lost
  Connect(edge, garbage, address);
  const std::array<uint8_t, 6> bad_frame = {0x00, 0x04, 0xFF, 0xFF, 0xFF, 0xFF};
  garbage.connection->Write(bad_frame);
  RawTcp oversized;  // a length over the frame limit
  Connect(edge, oversized, address);
  const std::array<uint8_t, 3> huge = {0xFF, 0xFF, 0x00};
  oversized.connection->Write(huge);
  RawTcp early_dtls;  // a well-framed DTLS record before any check: dropped, connection kept
  Connect(edge, early_dtls, address);
  const std::array<uint8_t, 7> dtls = {0x00, 0x05, 22, 0xFE, 0xFD, 0x00, 0x00};
  early_dtls.connection->Write(dtls);
  RawTcp stranger;  // a binding request for a ufrag no session has
  Connect(edge, stranger, address);
  // STUN header (binding request, 12-byte USERNAME "nobody:xyz\0\0" padded), no integrity.
  const std::array<uint8_t, 2 + 20 + 16> check = {
      0x00, 36, 0x00, 0x01, 0x00, 16,   0x21, 0x12, 0xA4, 0x42, 1,   2,   3,   4,   5,   6,   7,   8, 9,
      10,   11, 12,   0x00, 0x06, 0x00, 10,   'n',  'o',  'b',  'o', 'd', 'y', ':', 'x', 'y', 'z', 0, 0};
  stranger.connection->Write(check);

  REQUIRE(edge.RunUntil([&] {
    return garbage.closed && oversized.closed && port.unroutable().Get(IceTcpUnroutable::kNotStun) == 1 &&
           port.unroutable().Get(IceTcpUnroutable::kUnknownUfrag) == 1;
  }));
  CHECK(port.server().stats().framing_errors.Total() == 2);
  CHECK(!early_dtls.closed);
  CHECK(!stranger.closed);
  CHECK(port.routed() == 0);
  std::string metrics = edge.Metrics();
  CHECK(metrics.find("cascade_edge_ice_tcp_framing_errors_total{kind=\"garbage\"} 1") != std::string::npos);
  CHECK(metrics.find("cascade_edge_ice_tcp_unroutable_packets_total{kind=\"unknown_ufrag\"} 1") !=
        std::string::npos);
}
