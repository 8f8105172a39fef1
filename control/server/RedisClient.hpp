#pragma once
// One Redis connection on control's loop: hiredis' asynchronous API driven by its libuv
// adapter, so no call ever blocks the loop. Connects at Start() and again with backoff
// (Options::min_backoff_ms doubling to max_backoff_ms) whenever a connect fails or the
// connection drops. Commands given while there is no connection fail (from the loop, never
// inside Command), so callers keep serving from memory meanwhile. A command unanswered for
// Options::command_timeout_ms (a hung or stopped Redis) drops the connection, which fails
// every pending command and reconnects. Listener::OnRedisConnected runs after every
// (re)connect: that is where a Redis that restarted empty is filled again.
//
//   RedisClient redis(loop, *net::SocketAddress::ParseHostPort("127.0.0.1:6379"), {});
//   redis.AddListener(&lease);
//   redis.Start();
//   redis.Command({"SET", "k", "v"}, [](std::optional<RedisReply> reply) { ... });
//
// The address is an IP (no name lookup: resolving would block the loop).
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/base/Metrics.hpp"
#include "core/net/Loop.hpp"
#include "core/net/SocketAddress.hpp"
#include "core/net/Timer.hpp"

struct redisAsyncContext;

namespace cascade::control {

struct RedisReply {
  enum class Type : uint8_t { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string text;  // a string, status or error reply
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
};

class RedisClient {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnRedisConnected() = 0;
    virtual void OnRedisDisconnected() {}
  };
  struct Options {
    uint32_t command_timeout_ms = 1000;
    uint64_t min_backoff_ms = 100;
    uint64_t max_backoff_ms = 2000;
  };
  // nullopt: no answer (not connected, the connection dropped, or the command timed out).
  using Done = std::function<void(std::optional<RedisReply>)>;

  RedisClient(net::Loop& loop, net::SocketAddress address, Options options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // `listener` (not owned) must outlive this or be removed first.
  void AddListener(Listener* listener) { listeners_.push_back(listener); }
  void Start();
  bool connected() const { return connected_; }
  const net::SocketAddress& address() const { return address_; }
  // `done` is called exactly once, always from the loop after this returns; never after
  // this client is destroyed.
  void Command(std::vector<std::string> args, Done done);
  void RegisterMetrics(base::MetricsRegistry& metrics) const;

  struct Counters {
    uint64_t connects = 0;
    uint64_t connect_failures = 0;
    uint64_t disconnects = 0;
    uint64_t commands = 0;
    uint64_t failed_commands = 0;  // no answer: not connected, dropped or timed out
    uint64_t timeouts = 0;         // connections dropped for a command unanswered too long
  };
  const Counters& counters() const { return counters_; }

 private:
  struct Pending {
    RedisClient* client;
    Done done;
    uint64_t sent_us;
  };
  static void OnConnect(const redisAsyncContext* context, int status);
  static void OnDisconnect(const redisAsyncContext* context, int status);
  static void OnReply(redisAsyncContext* context, void* reply, void* privdata);

  void Connect();
  void ScheduleReconnect();
  void Lost(const char* why);
  void FailLater(Done done);
  void CheckTimeouts();

  net::Loop& loop_;
  net::SocketAddress address_;
  Options options_;
  std::vector<Listener*> listeners_;      // passed by argument
  redisAsyncContext* context_ = nullptr;  // owned by hiredis once connecting; freed by it on disconnect
  bool connected_ = false;
  uint64_t connect_started_us_ = 0;
  bool destroying_ = false;
  uint64_t backoff_ms_;
  std::unordered_set<Pending*> pending_;  // allocated by Command, freed in OnReply
  std::deque<Done> failing_;              // answered "no answer" from fail_timer_
  net::Timer reconnect_timer_;
  net::Timer fail_timer_;
  net::Timer watchdog_timer_;
  Counters counters_;
};

}  // namespace cascade::control
