// `cascade ctl`'s output from control's JSON answers, as control writes them.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tools/cascade/CtlApi.hpp"
#include "tools/cascade/CtlFormat.hpp"

using namespace cascade::tools;
using Json = nlohmann::json;

namespace {

Json Node(const std::string& id, const std::string& role, const std::string& region, bool alive,
          const std::string& url, Json rooms = Json::array()) {
  return {
      {"id", id},
      {"role", role},
      {"region", region},
      {"alive", alive},
      {"http_url", url},
      {"last_heard_ms_ago", 420},
      {"load",
       {{"sessions", 4}, {"users", 3}, {"cpu_percent", 2.6}, {"egress_bps", 3'120'000}, {"rss_bytes", 1}}},
      {"rooms", std::move(rooms)}};
}

Json Nodes() {
  return {{"nodes",
           {Node("edge-eu", "edge", "europe-west1", true, "http://127.0.0.1:1",
                 {{{"name", "demo"}, {"publisher", true}, {"viewers", 2}, {"parent", ""}}}),
            Node("edge-us", "edge", "us-east1", true, "http://127.0.0.1:2",
                 {{{"name", "demo"}, {"publisher", false}, {"viewers", 3}, {"parent", "relay-us"}},
                  {{"name", "quiet"}, {"publisher", false}, {"viewers", 1}, {"parent", ""}}}),
            Node("relay-us", "relay", "us-east1", false, "http://127.0.0.1:3",
                 {{{"name", "demo"}, {"publisher", false}, {"viewers", 0}, {"parent", "edge-eu"}}})}}};
}

Json Tree() {
  return {
      {"streams",
       {{"demo",
         {{{"parent", "edge-eu"}, {"child", "relay-us"}}, {{"parent", "relay-us"}, {"child", "edge-us"}}}}}}};
}

std::string LinkMetrics(const std::string& peer, double bytes, double received, double lost, double missing,
                        double rtt_s) {
  std::string labels = "{peer=\"" + peer + "\",end=\"child\"}";
  return "cascade_link_rtp_bytes_received_total" + labels + " " + std::to_string(bytes) + "\n" +
         "cascade_link_rtp_packets_received_total" + labels + " " + std::to_string(received) + "\n" +
         "cascade_link_lost_after_repair_total" + labels + " " + std::to_string(lost) + "\n" +
         "cascade_link_lost_before_repair_total" + labels + " " + std::to_string(missing) + "\n" +
         "cascade_link_rtt_seconds" + labels + " " + std::to_string(rtt_s) + "\n";
}

}  // namespace

TEST_CASE("ctl nodes: one aligned row per node with its role, region, load and when it was last heard") {
  CHECK(FormatNodes(Nodes()) ==
        "ID        ROLE   REGION        ALIVE  SESSIONS  USERS  CPU  EGRESS       LAST HEARD\n"
        "edge-eu   edge   europe-west1  yes    4         3      3%   3.12 Mbit/s  0.4 s ago\n"
        "edge-us   edge   us-east1      yes    4         3      3%   3.12 Mbit/s  0.4 s ago\n"
        "relay-us  relay  us-east1      no     4         3      3%   3.12 Mbit/s  0.4 s ago\n");
  CHECK(FormatNodes(Json{{"nodes", Json::array()}}) == "no node has registered with control\n");
}

TEST_CASE("ctl rooms: the publisher's edge as origin, links from the tree, viewers of live edges only") {
  CHECK(FormatRooms(Nodes(), Tree()) ==
        "ROOM   ORIGIN   LINKS  VIEWERS  PER EDGE\n"
        "demo   edge-eu  2      5        edge-eu 2, edge-us 3\n"
        "quiet  -        0      1        edge-us 1\n");
  // Without a publisher report the tree's root is the origin.
  Json nodes = Nodes();
  nodes["nodes"][0]["rooms"][0]["publisher"] = false;
  CHECK(FormatRooms(nodes, Tree()).find("demo   edge-eu  2") != std::string::npos);
  CHECK(FormatRooms(Json::object(), Json::object()) == "no rooms\n");
}

TEST_CASE(
    "ctl tree: each link's bitrate from two scrapes of its child, loss and RTT as cascade up shows them") {
  std::map<std::string, std::string> before = {
      {"http://127.0.0.1:2", LinkMetrics("relay-us", 1'000'000, 0, 0, 0, 0)}};
  std::map<std::string, std::string> after = {
      {"http://127.0.0.1:2", LinkMetrics("relay-us", 1'250'000, 990, 1, 10, 0.0004)},
      {"http://127.0.0.1:3", LinkMetrics("edge-eu", 5000, 1000, 0, 0, 0.0971)}};
  MeshSnapshot snapshot = RoomSnapshot(Nodes(), Tree(), "demo", before, after, 2.0);
  CHECK(FormatRoomTree(snapshot, "demo") ==
        "  room demo\n"
        "    edge-eu  1 publisher, 2 viewers\n"
        "    └─ relay-us  DOWN  rtt 97 ms  loss 0.00%\n"
        "       └─ edge-us  3 viewers  1.00 Mbit/s  rtt <1 ms  loss 0.10% (1.00% before repair)\n");
  // A room with no tree gives no block; one control does not know at all neither.
  CHECK(FormatRoomTree(RoomSnapshot(Nodes(), Tree(), "quiet", {}, {}, 1), "quiet").empty());
}

TEST_CASE("ctl place: the edge, the regions and how the client was located") {
  Json answer = {{"ok", true},
                 {"room", "demo"},
                 {"role", "watch"},
                 {"edge", "edge-us"},
                 {"edge_region", "us-east1"},
                 {"edge_url", "http://127.0.0.1:2"},
                 {"client_region", "us-east1"},
                 {"located_by", "cidr"},
                 {"address", "10.1.2.3"},
                 {"forwarded", true},
                 {"mode", "cascading"},
                 {"policy", "least-used"}};
  CHECK(FormatPlacement(answer) ==
        "room           demo (watch)\n"
        "edge           edge-us\n"
        "edge region    us-east1\n"
        "edge url       http://127.0.0.1:2\n"
        "client region  us-east1\n"
        "located by     cidr, address 10.1.2.3 (from X-Forwarded-For)\n"
        "mode           cascading\n"
        "policy         least-used\n");
}

TEST_CASE("ctl errors carry control's message: the JSON error, else the body's first line") {
  CHECK(ErrorMessageOf(401, R"({"ok":false,"error":"operator API: wrong credential"})") ==
        "control answered 401: operator API: wrong credential");
  CHECK(ErrorMessageOf(400, "unknown policy 'x'\nmore\n") == "control answered 400: unknown policy 'x'");
  CHECK(ErrorMessageOf(502, "") == "control answered 502");
  CHECK_THROWS_AS(ControlApi("https://127.0.0.1:1", ""), CtlError);
}
