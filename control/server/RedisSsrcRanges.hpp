#pragma once
// Mesh-wide SSRC ranges (SsrcRanges) shared by every control replica through Redis, so two
// replicas never hand one range to two nodes. Three hashes:
//   cascade:ssrc_ranges  range start -> node id
//   cascade:ssrc_nodes   node id -> range start
//   cascade:ssrc_seen    node id -> when a replica last had it alive (ms, Redis' clock)
// Claim runs one Lua script (atomic in Redis): the range the hello claims if it is free, the
// node's own, or held by a node unseen for reuse_after_ms; else the range Redis has for the
// node; else the first usable range from a random start. Every replica re-writes the ranges
// of the nodes it knows every refresh_ms and at once after each (re)connect, so a Redis that
// restarted empty has them back before a new node can be handed one of them; a range Redis
// gave to another node meanwhile is a conflict, logged and counted, never taken over.
//
//   RedisSsrcRanges ranges(loop, redis, registry, {});
//   server.SetRangeClaimer([&](auto node, auto claimed, auto done) { ranges.Claim(node, claimed, done); });
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "control/server/NodeRegistry.hpp"
#include "control/server/RedisClient.hpp"
#include "core/base/Metrics.hpp"
#include "core/net/Timer.hpp"

namespace cascade::control {

class RedisSsrcRanges : public RedisClient::Listener {
 public:
  struct Options {
    uint64_t reuse_after_ms = 10ull * 60 * 1000;  // as NodeRegistry::Options::ssrc_reuse_after_us
    uint64_t refresh_ms = 5000;
    std::string prefix = "cascade:";
  };
  using ClaimDone = std::function<void(std::optional<uint32_t> range_start)>;

  // `redis` and `registry` (the nodes this replica knows) must outlive this.
  RedisSsrcRanges(net::Loop& loop, RedisClient& redis, const NodeRegistry& registry, Options options);
  ~RedisSsrcRanges() override;
  RedisSsrcRanges(const RedisSsrcRanges&) = delete;
  RedisSsrcRanges& operator=(const RedisSsrcRanges&) = delete;

  // The range `node_id` holds from now on, mesh-wide. `claimed`: the range its hello names
  // (0: none). done(nullopt): Redis did not answer (the caller decides from memory) or every
  // range is held.
  void Claim(const std::string& node_id, uint32_t claimed, ClaimDone done);
  // Writes every known node's range and last-seen time again (also done on a timer).
  void Hold();
  void RegisterMetrics(base::MetricsRegistry& metrics) const;

  struct Counters {
    uint64_t claims = 0;
    uint64_t claims_unanswered = 0;
    uint64_t conflicts = 0;  // a range this replica knows held by one node is another's in Redis
    uint64_t holds = 0;
  };
  const Counters& counters() const { return counters_; }

  // RedisClient::Listener
  void OnRedisConnected() override { Hold(); }

 private:
  net::Loop& loop_;
  RedisClient& redis_;
  const NodeRegistry& registry_;
  Options options_;
  std::mt19937_64 random_;
  Counters counters_;
  net::Timer refresh_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cascade::control
