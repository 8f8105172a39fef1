#include "control/server/LeaderLease.hpp"

#include "core/base/Log.hpp"

namespace cascade::control {
namespace {

// KEYS[1] the leader key; ARGV[1] this replica's id, ARGV[2] the ttl in ms, ARGV[3] "1" when
// this replica may take a vacant key. 1: this replica holds the lease (renewed or taken);
// 0: another replica holds it; -1: vacant, not taken.
constexpr const char* kLeaseScript = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
  return 1
end
return -1
)lua";

}  // namespace

LeaderLease::LeaderLease(net::Loop& loop, RedisClient& redis, Options options,
                         std::function<void(bool leader)> on_change)
    : loop_(loop),
      redis_(redis),
      options_(std::move(options)),
      on_change_(std::move(on_change)),
      timer_(loop, [this] { Tick(); }) {
  redis_.AddListener(this);
  const uint64_t tick = std::max<uint64_t>(options_.ttl_ms / 4, 1);
  timer_.Start(tick, tick);
}

LeaderLease::~LeaderLease() { *alive_ = false; }

void LeaderLease::OnRedisConnected() { Tick(); }

void LeaderLease::Tick() {
  const uint64_t now = loop_.clock().NowUs();
  if (leader_ && now >= lease_until_us_) SetLeader(false, "lease not renewed in time");
  if (in_flight_ || !redis_.connected()) return;
  in_flight_ = true;
  std::weak_ptr<bool> alive = alive_;
  const bool may_take = leader_ || saw_vacant_;
  redis_.Command({"EVAL", kLeaseScript, "1", options_.key, options_.replica_id,
                  std::to_string(options_.ttl_ms), may_take ? "1" : "0"},
                 [this, alive, now](std::optional<RedisReply> reply) {
                   if (alive.expired()) return;
                   in_flight_ = false;
                   OnAnswer(now, reply);
                 });
}

void LeaderLease::OnAnswer(uint64_t sent_us, const std::optional<RedisReply>& reply) {
  if (!reply || reply->type != RedisReply::Type::kInteger) {
    if (reply) LOG_WARN("control.leader_lease_error", {"error", reply->text});
    return;  // kept until lease_until_us_ if leading; Tick steps down then
  }
  saw_vacant_ = reply->integer == -1;
  if (reply->integer == 1) {
    lease_until_us_ = sent_us + uint64_t{options_.ttl_ms} * 1000;
    if (loop_.clock().NowUs() < lease_until_us_) SetLeader(true, "lease held");
    return;
  }
  SetLeader(false, reply->integer == 0 ? "another replica holds the lease" : "lease vacant");
}

void LeaderLease::SetLeader(bool leader, const char* why) {
  if (leader == leader_) return;
  leader_ = leader;
  if (leader) ++terms_;
  LOG_WARN(leader ? "control.became_leader" : "control.stepped_down", {"replica", options_.replica_id},
           {"reason", why});
  if (on_change_) on_change_(leader);
}

void LeaderLease::RegisterMetrics(base::MetricsRegistry& metrics) const {
  metrics.AddCallback("cascade_control_leader", "1 while this control replica leads (sends tree commands)",
                      false, {}, [this] { return leader_ ? 1.0 : 0.0; });
  metrics.AddCallback("cascade_control_leader_terms_total", "times this replica became leader", true, {},
                      [this] { return static_cast<double>(terms_); });
}

}  // namespace cascade::control
