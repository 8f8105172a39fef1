// Control's WHIP/WHEP entry over a synthetic registry: the token check, the region of the
// client (token hint, trusted X-Forwarded-For, CIDR table), each region mode and data-center
// policy, full edges and overflow, 503 + Retry-After, 400s naming the allowed values, the
// placement grant in the 307, and the refusal counters. Requests go through the real router.
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "auth/PlacementGrant.hpp"
#include "auth/Token.hpp"
#include "control/server/ClientEntry.hpp"
#include "core/base/Clock.hpp"
#include "core/base/Config.hpp"

using namespace cascade;
using namespace cascade::control;

namespace {

constexpr const char* kSecret = "entry-test-secret-0123456789";

uint64_t Now() { return base::WallClockUs() / 1'000'000; }

struct Answer {
  int status = 0;
  std::string location;
  std::string retry_after;
  std::string body;
  std::string Edge() const {  // "http://<edge>.test/..." -> <edge>
    auto start = location.find("//") + 2;
    return location.substr(start, location.find(".test") - start);
  }
  std::string Grant() const { return location.substr(location.find("?grant=") + 7); }
};

EntrySettings Settings() {
  EntrySettings s;
  s.auth_secret = kSecret;
  s.web_root = "";
  return s;
}

class Entry {
 public:
  explicit Entry(EntrySettings settings = Settings()) : settings_(settings) {
    entry = std::make_unique<ClientEntry>(registry, settings);
    entry->AddRoutes(router);
    entry->AddOperatorRoutes(router);
    entry->RegisterMetrics(metrics);
  }

  void AddEdge(const std::string& id, const std::string& region, uint32_t sessions = 0) {
    NodeHello hello;
    hello.node_id = id;
    hello.role = NodeRole::kEdge;
    hello.region = region;
    hello.http_url = "http://" + id + ".test";
    hello.capacity.max_sessions = 100;
    REQUIRE(registry.Register(hello, 1, 1000).ok());
    SetSessions(id, sessions);
  }
  void SetSessions(const std::string& id, uint32_t sessions) {
    NodeLoad load;
    load.sessions = sessions;
    REQUIRE(registry.Heartbeat(id, load, 2));
  }

  std::string Token(const std::string& room, bool publish, const std::string& region = "",
                    uint64_t expires_at_s = 0) const {
    return auth::TokenAuthority(settings_.auth_secret.empty() ? auth::kLocalDevelopmentSecret
                                                              : settings_.auth_secret)
        .Issue({room, publish ? auth::TokenRole::kPublish : auth::TokenRole::kWatch,
                expires_at_s ? expires_at_s : Now() + 600, "tok-" + room, region});
  }

  // POST /whip|whep/<room>[?query] from `peer`, bearer `token` unless empty.
  Answer Post(bool publish, const std::string& room_and_query, const std::string& token,
              const std::string& peer = "127.0.0.1", const std::string& forwarded_for = "") {
    net::HttpRequest request;
    request.method = "POST";
    request.target = (publish ? "/whip/" : "/whep/") + room_and_query;
    auto mark = request.target.find('?');
    request.path = request.target.substr(0, mark);
    if (mark != std::string::npos) request.query = request.target.substr(mark + 1);
    if (!token.empty()) request.headers.emplace_back("authorization", "Bearer " + token);
    if (!forwarded_for.empty()) request.headers.emplace_back("x-forwarded-for", forwarded_for);
    request.body = "v=0\r\n";
    request.peer = *net::SocketAddress::Parse(peer, 40000);
    return Send(request);
  }
  Answer Get(const std::string& path, const std::string& query) {
    net::HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.query = query;
    request.peer = *net::SocketAddress::Parse("127.0.0.1", 40000);
    return Send(request);
  }
  // Watches `room` with a token hinting `region`; the edge it lands on.
  std::string Watch(const std::string& room, const std::string& region, const std::string& query = "") {
    Answer a = Post(false, room + query, Token(room, false, region));
    INFO(a.status << " " << a.body);
    REQUIRE(a.status == 307);
    return a.Edge();
  }
  std::string Publish(const std::string& room, const std::string& region) {
    Answer a = Post(true, room, Token(room, true, region));
    REQUIRE(a.status == 307);
    return a.Edge();
  }
  double Refusals(const std::string& reason) const {
    return metrics.Read("cascade_control_entry_refusals_total", {{"reason", reason}});
  }

  NodeRegistry registry;
  net::HttpRouter router;
  base::MetricsRegistry metrics;
  std::unique_ptr<ClientEntry> entry;

 private:
  Answer Send(net::HttpRequest& request) {
    auto match = router.Find(request.method, request.path);
    REQUIRE(match.handler);
    request.params = match.params;
    Answer answer;
    try {
      (*match.handler)(request, [&](net::HttpResponse response) {
        answer.status = response.status;
        answer.body = response.body;
        for (const auto& [name, value] : response.headers) {
          if (name == "Location") answer.location = value;
          if (name == "Retry-After") answer.retry_after = value;
        }
      });
    } catch (const net::HttpError& error) {
      answer.status = error.status();
      answer.body = error.what();
    }
    return answer;
  }
  EntrySettings settings_;
};

std::string WriteFile(const std::string& name, const std::string& text) {
  auto path =
      std::filesystem::temp_directory_path() / ("cascade-entry-" + std::to_string(getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("Control answers 307 to the edge with a grant bound to room, role, edge and token") {
  Entry entry;
  entry.AddEdge("edge-eu", "europe-west1");
  std::vector<std::tuple<std::string, std::string, bool>> placed;
  entry.entry->on_placed = [&](const std::string& room, const std::string& edge, bool publish) {
    placed.emplace_back(room, edge, publish);
  };
  Answer a = entry.Post(false, "town", entry.Token("town", false));
  REQUIRE(a.status == 307);
  CHECK(a.location.starts_with("http://edge-eu.test/whep/town?grant="));
  REQUIRE(placed.size() == 1);
  CHECK(placed[0] == std::tuple<std::string, std::string, bool>{"town", "edge-eu", false});

  auth::GrantAuthority grants(kSecret);
  auto claims = grants.Verify(a.Grant(), "town", auth::TokenRole::kWatch, "edge-eu", Now());
  REQUIRE(claims.ok());
  CHECK(claims->token_id == "tok-town");
  CHECK(claims->expires_at_s <= Now() + 30);
  CHECK(grants.Verify(a.Grant(), "town", auth::TokenRole::kWatch, "edge-eu", Now() + 31).error() ==
        auth::GrantError::kExpired);
  CHECK(grants.Verify(a.Grant(), "town", auth::TokenRole::kPublish, "edge-eu", Now()).error() ==
        auth::GrantError::kWrongRole);

  // A token about to expire gives a grant that expires with it.
  Answer short_lived = entry.Post(true, "town", entry.Token("town", true, "", Now() + 5));
  REQUIRE(short_lived.status == 307);
  CHECK(short_lived.location.starts_with("http://edge-eu.test/whip/town?grant="));
  auto short_claims = grants.Verify(short_lived.Grant(), "town", auth::TokenRole::kPublish, "edge-eu", Now());
  REQUIRE(short_claims.ok());
  CHECK(short_claims->expires_at_s <= Now() + 5);
  CHECK(placed.size() == 2);
}

TEST_CASE("Control refuses missing, forged, expired and misdirected tokens like the edge, and counts them") {
  Entry entry;
  entry.AddEdge("edge-eu", "europe-west1");
  Answer missing = entry.Post(false, "town", "");
  CHECK(missing.status == 401);
  CHECK(std::string(missing.body).find("missing bearer token") != std::string::npos);
  const std::string foreign = auth::TokenAuthority("another-secret-0123456789")
                                  .Issue({"town", auth::TokenRole::kWatch, Now() + 60, "x"});
  CHECK(entry.Post(false, "town", foreign).status == 401);
  CHECK(entry.Post(false, "town", "garbage").status == 401);
  Answer expired = entry.Post(false, "town", entry.Token("town", false, "", Now() - 1));
  CHECK(expired.status == 401);
  CHECK(expired.body == "token rejected: expired");
  Answer wrong_room = entry.Post(false, "town", entry.Token("village", false));
  CHECK(wrong_room.status == 403);
  CHECK(wrong_room.body == "token is for room 'village', not 'town'");
  Answer wrong_role = entry.Post(true, "town", entry.Token("town", false));
  CHECK(wrong_role.status == 403);
  CHECK(wrong_role.body == "token allows watch, not publish");
  for (const char* reason :
       {"missing_token", "bad_signature", "malformed", "expired", "wrong_room", "wrong_role"}) {
    INFO(reason);
    CHECK(entry.Refusals(reason) == 1);
  }
  CHECK(entry.Refusals("full") == 0);
}

TEST_CASE("The client's region: token hint, then a trusted X-Forwarded-For, then the CIDR table") {
  EntrySettings settings = Settings();
  settings.locator.cidr_table = WriteFile(
      "cidr.csv", "cidr,region\n127.0.0.2/32,asia-east1\n127.0.0.0/8,us-east1\n10.0.0.0/8,europe-west1\n");
  settings.locator.trusted_proxies = "127.0.0.9/32, 127.0.0.10/32";
  Entry entry(settings);
  entry.AddEdge("edge-eu", "europe-west1");
  entry.AddEdge("edge-us", "us-east1");
  entry.AddEdge("edge-asia", "asia-east1");
  auto watch_from = [&](const std::string& room, const std::string& hint, const std::string& peer,
                        const std::string& forwarded = "") {
    Answer a = entry.Post(false, room, entry.Token(room, false, hint), peer, forwarded);
    REQUIRE(a.status == 307);
    return a.Edge();
  };
  CHECK(watch_from("r1", "europe-west1", "127.0.0.2") == "edge-eu");  // the hint wins
  CHECK(watch_from("r2", "", "127.0.0.2") == "edge-asia");            // CIDR, longest prefix
  CHECK(watch_from("r3", "", "127.0.0.3") == "edge-us");
  CHECK(watch_from("r4", "", "127.0.0.9", "127.0.0.2") == "edge-asia");  // trusted proxy
  CHECK(watch_from("r5", "", "127.0.0.3", "127.0.0.2") == "edge-us");    // untrusted: ignored
  // Rightmost address that is not one of our proxies; what the client wrote to the left is not believed.
  CHECK(watch_from("r6", "", "127.0.0.9", "10.1.2.3, 127.0.0.2, 127.0.0.10") == "edge-asia");
  CHECK(watch_from("r7", "", "127.0.0.9", "10.1.2.3") == "edge-eu");
  CHECK(entry.entry->placements(LocationSource::kTokenHint) == 1);
  CHECK(entry.entry->placements(LocationSource::kCidrTable) == 6);
  // Not in the table: the unknown region, which still reaches an edge.
  Answer unknown = entry.Post(false, "r8", entry.Token("r8", false), "::1");
  CHECK(unknown.status == 307);
  CHECK(entry.metrics.Read("cascade_control_entry_placements_total", {{"located_by", "unknown"}}) == 1);
}

TEST_CASE(
    "The client's region: a MaxMind database after the CIDR table, the nearest region to its location") {
  EntrySettings settings = Settings();
  // tests/data/geoip/test.mmdb (make_test_mmdb.py): 198.51.100.0/24 is in Tokyo.
  settings.locator.mmdb = std::string(CASCADE_TEST_DATA_DIR) + "/geoip/test.mmdb";
  settings.locator.cidr_table = WriteFile("cidr-mmdb.csv", "198.51.100.99/32,europe-west1\n");
  Entry entry(settings);
  entry.AddEdge("edge-tokyo", "asia-northeast1");
  entry.AddEdge("edge-eu", "europe-west1");
  entry.AddEdge("edge-us", "us-east1");
  auto watch_from = [&](const std::string& room, const std::string& hint, const std::string& peer) {
    Answer a = entry.Post(false, room, entry.Token(room, false, hint), peer);
    REQUIRE(a.status == 307);
    return a.Edge();
  };
  CHECK(watch_from("m1", "", "198.51.100.7") == "edge-tokyo");
  CHECK(watch_from("m2", "", "198.51.100.99") == "edge-eu");         // the CIDR table first
  CHECK(watch_from("m3", "us-east1", "198.51.100.7") == "edge-us");  // the hint before both
  watch_from("m4", "", "203.0.113.1");                               // in neither
  CHECK(entry.entry->placements(LocationSource::kGeoIp) == 1);
  CHECK(entry.entry->placements(LocationSource::kCidrTable) == 1);
  CHECK(entry.entry->placements(LocationSource::kTokenHint) == 1);
  CHECK(entry.entry->placements(LocationSource::kUnknown) == 1);
}

TEST_CASE("Region modes: cascading, sender decides, first in room, application specific") {
  Entry entry;
  entry.AddEdge("edge-eu", "europe-west1");
  entry.AddEdge("edge-us", "us-east1");
  entry.AddEdge("edge-asia", "asia-east1");
  // Cascading (the default): everyone at their own region's edge, whatever the publisher's.
  CHECK(entry.Publish("live", "europe-west1") == "edge-eu");
  CHECK(entry.Watch("live", "asia-east1") == "edge-asia");
  CHECK(entry.Watch("live", "us-east1") == "edge-us");
  // Sender decides: viewers at the publisher's region.
  CHECK(entry.Watch("live", "asia-east1", "?mode=sender-decides") == "edge-eu");
  // First in room: the first user's region hosts everyone.
  CHECK(entry.Watch("meeting", "us-east1", "?mode=first-in-room") == "edge-us");
  CHECK(entry.Watch("meeting", "asia-east1", "?mode=first-in-room") == "edge-us");
  // Application specific: the application's region.
  CHECK(entry.Watch("webinar", "europe-west1", "?mode=application&region=asia-east1") == "edge-asia");
  // The room keeps its regions: first user and publisher.
  const RoomPlacement* live = entry.entry->room("live");
  REQUIRE(live);
  REQUIRE(live->regions.publisher);
  CHECK(entry.entry->regions().Name(*live->regions.publisher) == "europe-west1");
  CHECK(live->edges.size() == 3);
}

TEST_CASE("The default region mode comes from control.region_mode") {
  base::Config config;
  config.Set("control.region_mode", "sender-decides", "test");
  config.Set("auth.secret", kSecret, "test");
  config.Set("web.root", "", "test");
  Entry entry(EntrySettings::FromConfig(config));
  entry.AddEdge("edge-eu", "europe-west1");
  entry.AddEdge("edge-asia", "asia-east1");
  CHECK(entry.Publish("live", "europe-west1") == "edge-eu");
  CHECK(entry.Watch("live", "asia-east1") == "edge-eu");
  CHECK(entry.Watch("live", "asia-east1", "?mode=cascading") == "edge-asia");
}

TEST_CASE("Data-center policies over synthetic loads: packing, least used, round robin, random") {
  Entry entry;
  entry.AddEdge("edge-a", "europe-west1", 10);
  entry.AddEdge("edge-b", "europe-west1", 50);
  entry.AddEdge("edge-c", "europe-west1", 30);
  entry.AddEdge("edge-far", "asia-east1", 0);
  int room = 0;
  auto next = [&](const std::string& policy) {
    return entry.Watch("room" + std::to_string(++room), "europe-west1", "?policy=" + policy);
  };
  CHECK(next("packing") == "edge-b");     // the most used that still takes sessions
  CHECK(next("least-used") == "edge-a");  // the least used
  CHECK(entry.Watch("room" + std::to_string(++room), "europe-west1") ==
        "edge-a");  // control.placement default
  std::set<std::string> cycled, drawn;
  for (int i = 0; i < 3; ++i) cycled.insert(next("round-robin"));
  CHECK(cycled == std::set<std::string>{"edge-a", "edge-b", "edge-c"});
  for (int i = 0; i < 30; ++i) drawn.insert(next("random"));
  CHECK(drawn.size() >= 2);
  CHECK_FALSE(drawn.contains("edge-far"));  // every policy stays in the nearest region
}

TEST_CASE("Joins between two heartbeats count against the edge they went to") {
  Entry entry;
  entry.AddEdge("edge-a", "europe-west1", 0);
  entry.AddEdge("edge-b", "europe-west1", 0);
  std::map<std::string, int> per_edge;
  for (int i = 0; i < 6; ++i) ++per_edge[entry.Watch("burst" + std::to_string(i), "europe-west1")];
  CHECK(per_edge == std::map<std::string, int>{{"edge-a", 3}, {"edge-b", 3}});
  // A heartbeat replaces the estimate with what the edge reports.
  entry.SetSessions("edge-a", 0);
  entry.SetSessions("edge-b", 40);
  CHECK(entry.Watch("after", "europe-west1") == "edge-a");
}

TEST_CASE(
    "Full edges: a room keeps its edge to the second threshold, new rooms overflow to the next region") {
  Entry entry;
  entry.AddEdge("edge-eu", "europe-west1", 0);
  entry.AddEdge("edge-us", "us-east1", 0);
  entry.AddEdge("edge-asia", "asia-east1", 0);
  CHECK(entry.Watch("busy", "europe-west1") == "edge-eu");
  entry.SetSessions("edge-eu", 85);  // above no_new_sessions (0.8), below no_new_users (0.95)
  CHECK(entry.Watch("busy", "europe-west1") == "edge-eu");      // one more user of its session
  CHECK(entry.Watch("new-room", "europe-west1") == "edge-us");  // nearest other region
  entry.SetSessions("edge-eu", 96);
  CHECK(entry.Watch("busy", "europe-west1") == "edge-us");
}

TEST_CASE("A full cluster answers 503 with Retry-After; no edge at all too; both counted") {
  EntrySettings settings = Settings();
  settings.retry_after_s = 7;
  Entry entry(settings);
  Answer none = entry.Post(false, "r", entry.Token("r", false));
  CHECK(none.status == 503);
  CHECK(none.retry_after == "7");
  CHECK(entry.Refusals("no_edge") == 1);
  entry.AddEdge("edge-eu", "europe-west1", 99);
  entry.AddEdge("edge-us", "us-east1", 100);
  Answer full = entry.Post(true, "r", entry.Token("r", true));
  CHECK(full.status == 503);
  CHECK(full.retry_after == "7");
  CHECK(entry.Refusals("full") == 1);
}

TEST_CASE("An unknown policy or region mode is 400 naming the allowed values") {
  Entry entry;
  entry.AddEdge("edge-eu", "europe-west1");
  Answer policy = entry.Post(false, "r?policy=fastest", entry.Token("r", false));
  CHECK(policy.status == 400);
  CHECK(policy.body == "unknown policy 'fastest': expected packing|least-used|round-robin|random");
  Answer mode = entry.Post(false, "r?mode=nearest", entry.Token("r", false));
  CHECK(mode.status == 400);
  CHECK(mode.body ==
        "unknown region mode 'nearest': expected first-in-room|application|cascading|sender-decides");
  CHECK(entry.Refusals("bad_policy") == 1);
  CHECK(entry.Refusals("bad_mode") == 1);
}

TEST_CASE("Nodes in a region the latency matrix does not know are placed, after every known region") {
  Entry entry;
  entry.AddEdge("edge-local", "local");
  CHECK(entry.Watch("r", "us-east1") == "edge-local");
  CHECK(entry.Watch("r2", "") == "edge-local");
  entry.AddEdge("edge-asia", "asia-east1");
  CHECK(entry.Watch("r3", "us-east1") == "edge-asia");
  CHECK(entry.Watch("r4", "local") == "edge-local");
}

TEST_CASE("Without auth.secret control hands out development tokens with a region hint") {
  EntrySettings settings = Settings();
  settings.auth_secret = "";
  Entry entry(settings);
  entry.AddEdge("edge-asia", "asia-east1");
  Answer got = entry.Get("/api/token", "room=demo&role=watch&region=asia-east1");
  REQUIRE(got.status == 200);
  auto token = nlohmann::json::parse(got.body)["token"].get<std::string>();
  auto claims = auth::TokenAuthority(auth::kLocalDevelopmentSecret).Verify(token, Now());
  REQUIRE(claims.ok());
  CHECK(claims->region == "asia-east1");
  CHECK(entry.Post(false, "demo", token).status == 307);
  CHECK(entry.Get("/api/token", "room=demo").status == 400);
  // With a secret there is no such route.
  Entry secured;
  CHECK_FALSE(secured.router.Find("GET", "/api/token").handler);
}

TEST_CASE("Entry settings: bad values name the key and the allowed values") {
  auto fails = [](const std::string& key, const std::string& value) {
    base::Config config;
    config.Set(key, value, "test");
    try {
      EntrySettings::FromConfig(config);
    } catch (const base::ConfigError& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  CHECK(fails("control.region_mode", "nearest").find("first-in-room|application|cascading|sender-decides") !=
        std::string::npos);
  CHECK(fails("control.placement", "x").find("packing|least-used|round-robin|random") != std::string::npos);
  CHECK(fails("placement.full.cpu", "0.9").find("placement.full.cpu") != std::string::npos);
  CHECK(fails("placement.full.users", "0.9,0.5").find("placement.full.users") != std::string::npos);
  CHECK(fails("auth.secret", "short").find("auth.secret") != std::string::npos);
  base::Config good;
  good.Set("placement.full.sessions", "0.5,0.7", "test");
  EntrySettings s = EntrySettings::FromConfig(good);
  CHECK(s.thresholds.sessions.no_new_sessions == doctest::Approx(0.5));
  CHECK(s.thresholds.sessions.no_new_users == doctest::Approx(0.7));
  // Files that cannot be read stop control with the key's name.
  EntrySettings missing = Settings();
  missing.locator.mmdb = "/nonexistent/GeoLite2-City.mmdb";
  NodeRegistry registry;
  auto refusal = [&](const EntrySettings& settings) {
    try {
      ClientEntry entry(registry, settings);
    } catch (const std::exception& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  CHECK(refusal(missing).find("placement.mmdb") != std::string::npos);
  EntrySettings bad_table = Settings();
  bad_table.locator.cidr_table = WriteFile("bad.csv", "127.0.0.0/8,atlantis\n");
  CHECK(refusal(bad_table).find("unknown region atlantis") != std::string::npos);
}

TEST_CASE("GET /api/place previews where a client would go: same region steps, nothing placed or counted") {
  EntrySettings settings = Settings();
  settings.locator.cidr_table = WriteFile("place.csv", "cidr,region\n127.0.0.2/32,us-east1\n");
  settings.locator.trusted_proxies = "127.0.0.9/32";
  settings.policy = topology::DcPolicy::kRoundRobin;
  Entry entry(settings);
  entry.AddEdge("edge-eu", "europe-west1");
  entry.AddEdge("edge-us-1", "us-east1");
  entry.AddEdge("edge-us-2", "us-east1");
  auto place = [&](const std::string& query) {
    Answer a = entry.Get("/api/place", query);
    INFO(a.body);
    return std::pair{a.status, nlohmann::json::parse(a.body)};
  };
  auto [status, cidr] = place("room=r&ip=127.0.0.2&role=watch");
  CHECK(status == 200);
  CHECK(cidr["ok"] == true);
  CHECK(cidr["client_region"] == "us-east1");
  CHECK(cidr["edge_region"] == "us-east1");
  CHECK(cidr["located_by"] == "cidr");
  CHECK(cidr["forwarded"] == false);
  CHECK(cidr["edge_url"] == "http://" + cidr["edge"].get<std::string>() + ".test");
  // Previews move no round-robin cursor and record no room: asked again, the same answer,
  // and the first real viewer goes where the preview said.
  CHECK(place("room=r&ip=127.0.0.2").second["edge"] == cidr["edge"]);
  CHECK(place("room=r&ip=127.0.0.2").second["edge"] == cidr["edge"]);
  CHECK(entry.entry->room("r") == nullptr);
  CHECK(entry.metrics.Read("cascade_control_entry_placements_total", {{"located_by", "cidr"}}) == 0);
  Answer real = entry.Post(false, "r", entry.Token("r", false), "127.0.0.2");
  REQUIRE(real.status == 307);
  CHECK(real.Edge() == cidr["edge"]);
  // The token's hint wins over the address; a trusted proxy's X-Forwarded-For is believed.
  auto hinted = place("room=r&ip=127.0.0.2&region=europe-west1").second;
  CHECK(hinted["edge"] == "edge-eu");
  CHECK(hinted["located_by"] == "token");
  auto forwarded = place("room=r&ip=127.0.0.9&forwarded_for=127.0.0.2").second;
  CHECK(forwarded["located_by"] == "cidr");
  CHECK(forwarded["address"] == "127.0.0.2");
  CHECK(forwarded["forwarded"] == true);
  CHECK(place("room=r&ip=127.0.0.5").second["located_by"] == "unknown");
  // Bad questions: 400 with a JSON message, and no refusal counted (no client was refused).
  CHECK(place("room=r&ip=nope").first == 400);
  CHECK(place("ip=127.0.0.2").first == 400);
  CHECK(place("room=r&ip=127.0.0.2&role=lurk").first == 400);
  auto [bad_status, bad] = place("room=r&ip=127.0.0.2&policy=nope");
  CHECK(bad_status == 400);
  CHECK(bad["ok"] == false);
  CHECK(bad["error"].get<std::string>().find("round-robin") != std::string::npos);
  CHECK(entry.Refusals("bad_policy") == 0);
}

TEST_CASE("GET /api/place on a cluster without edges answers 503 with the reason") {
  Entry entry;
  Answer a = entry.Get("/api/place", "room=r&ip=127.0.0.1");
  CHECK(a.status == 503);
  auto body = nlohmann::json::parse(a.body);
  CHECK(body["ok"] == false);
  CHECK(body["reason"] == "no_edge");
  CHECK(entry.Refusals("no_edge") == 0);
}
