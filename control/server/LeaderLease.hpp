#pragma once
// Which control replica leads (sends the tree commands): the one whose id is in Redis under
// `cascade:leader`, set with a time to live (`SET key id NX PX ttl`, inside one Lua script
// with the renewal so that check and set are one step) and renewed by its holder every ttl/4
// with a compare-and-set (PEXPIRE only while the value is still its id).
//
// Safety: a leader counts its lease from when it sent the renewal that Redis accepted, and
// steps down on its own when ttl passes without another one (Redis unreachable), before Redis
// can let anyone else take the key. A replica that finds the key vacant takes it only when it
// found it vacant on its previous check too (one tick apart): after a Redis restart lost the
// key, the replica that led re-takes it at once, so the others do not grab it in between.
// Failover after a leader dies: at most ttl + 2 ticks (3 s with the default 2 s ttl).
//
//   LeaderLease lease(loop, redis, {.replica_id = "control-a"}, [](bool leader) { ... });
#include <cstdint>
#include <functional>
#include <string>

#include "control/server/RedisClient.hpp"
#include "core/base/Metrics.hpp"
#include "core/net/Timer.hpp"

namespace cascade::control {

class LeaderLease : public RedisClient::Listener {
 public:
  struct Options {
    std::string replica_id;
    uint32_t ttl_ms = 2000;
    std::string key = "cascade:leader";
  };
  // `redis` must outlive this; `on_change` is told every change of leader().
  LeaderLease(net::Loop& loop, RedisClient& redis, Options options,
              std::function<void(bool leader)> on_change);
  ~LeaderLease() override;
  LeaderLease(const LeaderLease&) = delete;
  LeaderLease& operator=(const LeaderLease&) = delete;

  bool leader() const { return leader_; }
  const std::string& replica_id() const { return options_.replica_id; }
  uint64_t terms() const { return terms_; }  // times this replica became leader
  void RegisterMetrics(base::MetricsRegistry& metrics) const;

  // RedisClient::Listener
  void OnRedisConnected() override;

 private:
  void Tick();
  void OnAnswer(uint64_t sent_us, const std::optional<RedisReply>& reply);
  void SetLeader(bool leader, const char* why);

  net::Loop& loop_;
  RedisClient& redis_;
  Options options_;
  std::function<void(bool)> on_change_;
  bool leader_ = false;
  bool in_flight_ = false;
  bool saw_vacant_ = false;
  uint64_t lease_until_us_ = 0;  // as leader: when the lease ends unless renewed
  uint64_t terms_ = 0;
  net::Timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cascade::control
