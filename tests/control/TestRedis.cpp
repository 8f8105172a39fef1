// Control's shared state on a real redis-server the test starts (no persistence, a free port):
// the client's reconnects and timeouts, the leader lease between two replicas, SSRC range
// claims and room regions. Skipped (with a message) where redis-server is not installed;
// scripts/setup.sh installs it, so CI runs them.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "control/client/ControlClient.hpp"
#include "control/server/ControlServer.hpp"
#include "control/server/LeaderLease.hpp"
#include "control/server/RedisClient.hpp"
#include "control/server/RedisRoomRegions.hpp"
#include "control/server/RedisSsrcRanges.hpp"
#include "core/dtls/Certificate.hpp"
#include "tests/RunLoop.hpp"
#include "tests/control/TestNodes.hpp"

using namespace cascade;
using namespace cascade::control;
using cascade::test::ControlCertificate;
using cascade::test::MakeHello;
using cascade::test::RunUntil;

namespace {

std::string FindRedisServer() {
  for (const char* path : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A redis-server child on 127.0.0.1:port, killed (SIGKILL) when this goes.
class RedisProcess {
 public:
  explicit RedisProcess(uint16_t port) : port_(port) {}
  ~RedisProcess() { Kill(); }

  void Start() {
    const std::string binary = FindRedisServer();
    const std::string port = std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execl(binary.c_str(), binary.c_str(), "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--loglevel", "warning", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void Signal(int signal) { kill(pid_, signal); }
  net::SocketAddress address() const { return *net::SocketAddress::Parse("127.0.0.1", port_); }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
};

// Skips the test case when there is no redis-server here.
#define REQUIRE_REDIS_SERVER()                                                          \
  do {                                                                                  \
    if (FindRedisServer().empty()) {                                                    \
      MESSAGE("redis-server is not installed (scripts/setup.sh installs it): skipped"); \
      return;                                                                           \
    }                                                                                   \
  } while (0)

std::optional<RedisReply> Run(net::Loop& loop, RedisClient& redis, std::vector<std::string> args) {
  std::optional<RedisReply> out;
  bool done = false;
  redis.Command(std::move(args), [&](std::optional<RedisReply> reply) {
    out = std::move(reply);
    done = true;
  });
  RunUntil(
      loop, [&] { return done; }, 3000);
  return out;
}

struct RegisteringNode : ControlClient::Listener {
  std::optional<HelloAck> ack;
  void OnControlClientRegistered(const HelloAck& a) override { ack = a; }
  void OnControlClientCommand(const ControlMessage&, CommandResult& result) override { result.ok = true; }
  NodeLoad OnControlClientLoadRequested() override { return {}; }
};

}  // namespace

TEST_CASE(
    "RedisClient fails commands while Redis is away, connects when it comes, and gives up on a stopped one") {
  REQUIRE_REDIS_SERVER();
  net::Loop loop;
  RedisProcess server(FreePort());
  RedisClient::Options options;
  options.command_timeout_ms = 300;
  options.max_backoff_ms = 200;
  RedisClient redis(loop, server.address(), options);
  redis.Start();
  auto before = Run(loop, redis, {"PING"});
  CHECK_FALSE(before.has_value());  // nobody listens yet: no answer, no hang
  CHECK(redis.counters().connect_failures >= 1);

  server.Start();
  RunUntil(
      loop, [&] { return redis.connected(); }, 5000);
  REQUIRE(redis.connected());
  auto pong = Run(loop, redis, {"PING"});
  REQUIRE(pong.has_value());
  CHECK(pong->text == "PONG");
  auto error = Run(loop, redis, {"NOSUCHCOMMAND"});
  REQUIRE(error.has_value());
  CHECK(error->is_error());

  server.Signal(SIGSTOP);  // alive but silent: only a timeout can tell
  const uint64_t asked = loop.clock().NowUs();
  auto silent = Run(loop, redis, {"PING"});
  CHECK_FALSE(silent.has_value());
  CHECK(redis.counters().timeouts == 1);
  CHECK((loop.clock().NowUs() - asked) / 1000 < 1000);
  server.Signal(SIGCONT);
  RunUntil(
      loop, [&] { return redis.connected(); }, 5000);
  CHECK(redis.connected());
  CHECK(Run(loop, redis, {"PING"}).has_value());
}

TEST_CASE("Two replicas on one Redis: one leads; when it dies the other leads within ttl and two checks") {
  REQUIRE_REDIS_SERVER();
  net::Loop loop;
  RedisProcess server(FreePort());
  server.Start();
  constexpr uint32_t kTtlMs = 400;
  auto a_redis = std::make_unique<RedisClient>(loop, server.address(), RedisClient::Options{});
  RedisClient b_redis(loop, server.address(), RedisClient::Options{});
  auto a = std::make_unique<LeaderLease>(loop, *a_redis, LeaderLease::Options{"replica-a", kTtlMs}, nullptr);
  a_redis->Start();
  RunUntil(
      loop, [&] { return a->leader(); }, 5000);
  REQUIRE(a->leader());
  LeaderLease b(loop, b_redis, LeaderLease::Options{"replica-b", kTtlMs}, nullptr);
  b_redis.Start();

  // Both keep checking for a while: the lease stays where it is, never with both.
  bool both = false;
  net::Timer watch(loop, [&] { both = both || (a && a->leader() && b.leader()); });
  watch.Start(1, 1);
  RunUntil(
      loop, [] { return false; }, 3 * kTtlMs);
  CHECK_FALSE(both);
  CHECK(a->leader());
  CHECK_FALSE(b.leader());
  CHECK(a->terms() == 1);

  // The leader vanishes without a word (as kill -9 would): b takes the lease once it expires.
  const uint64_t killed = loop.clock().NowUs();
  a.reset();
  a_redis.reset();
  RunUntil(
      loop, [&] { return b.leader(); }, 5000);
  REQUIRE(b.leader());
  const uint64_t took_ms = (loop.clock().NowUs() - killed) / 1000;
  MESSAGE("failover took " << took_ms << " ms (ttl " << kTtlMs << " ms)");
  CHECK(took_ms <= kTtlMs + 2 * (kTtlMs / 4) + 150);
}

TEST_CASE("After a Redis restart the replica that led re-takes the lease; the other never leads meanwhile") {
  REQUIRE_REDIS_SERVER();
  net::Loop loop;
  RedisProcess server(FreePort());
  server.Start();
  constexpr uint32_t kTtlMs = 2000;
  RedisClient::Options fast;
  fast.max_backoff_ms = 100;
  RedisClient a_redis(loop, server.address(), fast);
  RedisClient b_redis(loop, server.address(), fast);
  LeaderLease a(loop, a_redis, LeaderLease::Options{"replica-a", kTtlMs}, nullptr);
  a_redis.Start();
  RunUntil(
      loop, [&] { return a.leader(); }, 5000);
  REQUIRE(a.leader());
  LeaderLease b(loop, b_redis, LeaderLease::Options{"replica-b", kTtlMs}, nullptr);
  b_redis.Start();
  RunUntil(
      loop, [&] { return b_redis.connected(); }, 5000);

  server.Kill();
  RunUntil(loop, [&] { return !a_redis.connected() && !b_redis.connected(); });
  server.Start();  // empty: the lease key is gone
  bool b_led = false;
  net::Timer watch(loop, [&] { b_led = b_led || b.leader(); });
  watch.Start(1, 1);
  RunUntil(
      loop, [&] { return a_redis.connected() && b_redis.connected(); }, 5000);
  RunUntil(
      loop, [] { return false; }, kTtlMs);
  CHECK(a.leader());
  CHECK_FALSE(b_led);
  auto holder = Run(loop, a_redis, {"GET", "cascade:leader"});
  REQUIRE(holder.has_value());
  CHECK(holder->text == "replica-a");
}

TEST_CASE(
    "SSRC ranges through Redis: one node gets one range from every replica, two nodes never share one") {
  REQUIRE_REDIS_SERVER();
  net::Loop loop;
  RedisProcess server(FreePort());
  server.Start();
  RedisClient a_redis(loop, server.address(), {});
  RedisClient b_redis(loop, server.address(), {});
  NodeRegistry a_registry;
  NodeRegistry b_registry;
  RedisSsrcRanges a(loop, a_redis, a_registry, {});
  RedisSsrcRanges b(loop, b_redis, b_registry, {});
  a_redis.Start();
  b_redis.Start();
  RunUntil(loop, [&] { return a_redis.connected() && b_redis.connected(); });

  auto claim = [&](RedisSsrcRanges& ranges, const std::string& node, uint32_t claimed) {
    std::optional<uint32_t> out;
    bool done = false;
    ranges.Claim(node, claimed, [&](std::optional<uint32_t> range) {
      out = range;
      done = true;
    });
    RunUntil(loop, [&] { return done; });
    return out;
  };
  // The same node at both replicas at once (a node connects to all): one range.
  std::optional<uint32_t> first, second;
  int answers = 0;
  a.Claim("edge-1", 0, [&](std::optional<uint32_t> r) { first = r, ++answers; });
  b.Claim("edge-1", 0, [&](std::optional<uint32_t> r) { second = r, ++answers; });
  RunUntil(loop, [&] { return answers == 2; });
  REQUIRE(first.has_value());
  CHECK(SsrcRanges::IsRangeStart(*first));
  CHECK(second == first);

  // Another node claiming edge-1's range (e.g. a hello from an old mesh) gets another.
  auto other = claim(b, "edge-2", *first);
  REQUIRE(other.has_value());
  CHECK(*other != *first);
  // A node keeps the range its hello claims, whichever replica it asks.
  CHECK(claim(a, "edge-2", *other) == other);

  // Redis restarts empty: replica a re-writes what its nodes hold, so a new node cannot get it.
  REQUIRE(a_registry.Register(MakeHello("edge-1"), loop.clock().NowUs(), 1000, *first).ok());
  REQUIRE(a_registry.nodes().at("edge-1").ssrc_range_start == *first);
  server.Kill();
  RunUntil(loop, [&] { return !a_redis.connected() && !b_redis.connected(); });
  server.Start();
  RunUntil(
      loop, [&] { return a_redis.connected() && b_redis.connected() && a.counters().holds >= 1; }, 5000);
  REQUIRE(Run(loop, a_redis, {"PING"}).has_value());  // answered after a's re-write, on a's connection
  auto holder = Run(loop, b_redis, {"HGET", "cascade:ssrc_ranges", std::to_string(*first)});
  REQUIRE(holder.has_value());
  CHECK(holder->text == "edge-1");
  auto stranger = claim(b, "edge-3", *first);
  REQUIRE(stranger.has_value());
  CHECK(*stranger != *first);
}

TEST_CASE("Two control servers on one Redis ack a node the same SSRC range; another node gets another") {
  REQUIRE_REDIS_SERVER();
  net::Loop loop;
  RedisProcess server(FreePort());
  server.Start();
  base::MetricsRegistry metrics_a, metrics_b;
  auto any_port = *net::SocketAddress::Parse("127.0.0.1", 0);
  ControlServer a(loop, any_port, ControlCertificate(), {}, metrics_a);
  ControlServer b(loop, any_port, ControlCertificate(), {}, metrics_b);
  RedisClient a_redis(loop, server.address(), {});
  RedisClient b_redis(loop, server.address(), {});
  RedisSsrcRanges a_ranges(loop, a_redis, a.registry(), {});
  RedisSsrcRanges b_ranges(loop, b_redis, b.registry(), {});
  a.SetRangeClaimer([&](const std::string& node, uint32_t claimed, auto done) {
    a_ranges.Claim(node, claimed, std::move(done));
  });
  b.SetRangeClaimer([&](const std::string& node, uint32_t claimed, auto done) {
    b_ranges.Claim(node, claimed, std::move(done));
  });
  a_redis.Start();
  b_redis.Start();
  RunUntil(loop, [&] { return a_redis.connected() && b_redis.connected(); });

  RegisteringNode to_a, to_b, other;
  ControlClient client_a(loop, &to_a, a.channel_address(), ControlCertificate().fingerprint(),
                         MakeHello("edge-1"));
  ControlClient client_b(loop, &to_b, b.channel_address(), ControlCertificate().fingerprint(),
                         MakeHello("edge-1"));
  ControlClient client_other(loop, &other, b.channel_address(), ControlCertificate().fingerprint(),
                             MakeHello("edge-2"));
  client_a.Start();
  client_b.Start();
  client_other.Start();
  RunUntil(loop, [&] { return to_a.ack && to_b.ack && other.ack; });
  REQUIRE(to_a.ack);
  REQUIRE(to_b.ack);
  REQUIRE(other.ack);
  CHECK(to_a.ack->ssrc_range_start == to_b.ack->ssrc_range_start);
  CHECK(other.ack->ssrc_range_start != to_a.ack->ssrc_range_start);
  CHECK(a.registry().nodes().at("edge-1").ssrc_range_start ==
        b.registry().nodes().at("edge-1").ssrc_range_start);
}

TEST_CASE("Without Redis an SSRC claim falls back to the registry's own choice") {
  net::Loop loop;
  base::MetricsRegistry metrics;
  ControlServer server(loop, *net::SocketAddress::Parse("127.0.0.1", 0), ControlCertificate(), {}, metrics);
  RedisClient redis(loop, *net::SocketAddress::Parse("127.0.0.1", FreePort()), {});  // nobody there
  RedisSsrcRanges ranges(loop, redis, server.registry(), {});
  server.SetRangeClaimer([&](const std::string& node, uint32_t claimed, auto done) {
    ranges.Claim(node, claimed, std::move(done));
  });
  redis.Start();
  RegisteringNode node;
  const uint32_t wanted = SsrcRanges::kBase + 7 * SsrcRanges::kSize;
  ControlClient client(loop, &node, server.channel_address(), ControlCertificate().fingerprint(),
                       MakeHello("edge-1", wanted));
  client.Start();
  RunUntil(loop, [&] { return node.ack.has_value(); });
  REQUIRE(node.ack);
  CHECK(node.ack->accepted);
  CHECK(node.ack->ssrc_range_start == wanted);
  CHECK(ranges.counters().claims_unanswered == 1);
}

TEST_CASE(
    "Room regions through Redis: the first user recorded stays first, and a restarted Redis gets them back") {
  REQUIRE_REDIS_SERVER();
  net::Loop loop;
  RedisProcess server(FreePort());
  server.Start();
  RedisClient::Options fast;
  fast.max_backoff_ms = 100;
  RedisClient a_redis(loop, server.address(), fast);
  RedisClient b_redis(loop, server.address(), fast);
  RedisRoomRegions a(a_redis, {});
  RedisRoomRegions b(b_redis, {});
  a_redis.Start();
  b_redis.Start();
  RunUntil(loop, [&] { return a_redis.connected() && b_redis.connected(); });

  auto wait = [&](auto start) {
    std::optional<SharedRoomRegions> out;
    bool done = false;
    start([&](std::optional<SharedRoomRegions> regions) {
      out = regions;
      done = true;
    });
    RunUntil(loop, [&] { return done; });
    return out;
  };
  CHECK_FALSE(wait([&](auto done) { b.Load("demo", done); }).has_value());
  auto first = wait([&](auto done) { a.Save("demo", {"europe-west1", ""}, done); });
  REQUIRE(first);
  CHECK(first->first_user == "europe-west1");
  // b places a first user too, not knowing of a's: the recorded one stays.
  auto second = wait([&](auto done) { b.Save("demo", {"us-east1", "us-east1"}, done); });
  REQUIRE(second);
  CHECK(second->first_user == "europe-west1");
  CHECK(second->publisher == "us-east1");

  server.Kill();
  RunUntil(loop, [&] { return !a_redis.connected() && !b_redis.connected(); });
  server.Start();
  RunUntil(
      loop, [&] { return a_redis.connected() && b_redis.connected(); }, 5000);
  // Each connection answers in order: once these are answered, the re-writes have landed.
  REQUIRE(Run(loop, a_redis, {"PING"}).has_value());
  REQUIRE(Run(loop, b_redis, {"PING"}).has_value());
  auto back = wait([&](auto done) { a.Load("demo", done); });
  REQUIRE(back);
  CHECK(back->first_user == "europe-west1");
  CHECK(back->publisher == "us-east1");
}
