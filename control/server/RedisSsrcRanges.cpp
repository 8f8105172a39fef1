#include "control/server/RedisSsrcRanges.hpp"

#include "control/server/SsrcRanges.hpp"
#include "core/base/Log.hpp"

namespace cascade::control {
namespace {

// Shared by both scripts: KEYS[1] ranges (start -> node), KEYS[2] nodes (node -> start),
// KEYS[3] seen (node -> ms); ARGV[1] reuse_after_ms.
constexpr const char* kCommon = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local reuse = tonumber(ARGV[1])
local function usable(start, node)
  local holder = redis.call('HGET', KEYS[1], start)
  if (not holder) or holder == node then return true end
  local seen = tonumber(redis.call('HGET', KEYS[3], holder) or '0')
  return now - seen >= reuse
end
local function take(start, node, seen)
  local holder = redis.call('HGET', KEYS[1], start)
  if holder and holder ~= node and redis.call('HGET', KEYS[2], holder) == start then
    redis.call('HDEL', KEYS[2], holder)
  end
  local old = redis.call('HGET', KEYS[2], node)
  if old and old ~= start and redis.call('HGET', KEYS[1], old) == node then redis.call('HDEL', KEYS[1], old) end
  redis.call('HSET', KEYS[1], start, node)
  redis.call('HSET', KEYS[2], node, start)
  redis.call('HSET', KEYS[3], node, seen)
  return tonumber(start)
end
)lua";

// ARGV[2] node, ARGV[3] claimed start ('0': none), ARGV[4] first index to search from,
// ARGV[5] range count, ARGV[6] range size, ARGV[7] base. Returns the start, 0: none.
constexpr const char* kClaim = R"lua(
local node, claimed = ARGV[2], ARGV[3]
if claimed ~= '0' and usable(claimed, node) then return take(claimed, node, now) end
local held = redis.call('HGET', KEYS[2], node)
if held and redis.call('HGET', KEYS[1], held) == node then return take(held, node, now) end
local first, count, size, base = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
for i = 0, count - 1 do
  local start = string.format('%d', base + ((first + i) % count) * size)
  if usable(start, node) then return take(start, node, now) end
end
return 0
)lua";

// ARGV[2..]: triples node, start, ms since this replica last heard from it. Returns how
// many ranges another node holds in Redis (conflicts; left as they are).
constexpr const char* kHold = R"lua(
local conflicts = 0
for i = 2, #ARGV, 3 do
  local node, start, age = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if usable(start, node) then
    local seen = now - age
    local known = tonumber(redis.call('HGET', KEYS[3], node) or '0')
    if known > seen then seen = known end
    take(start, node, seen)
  else
    conflicts = conflicts + 1
  end
end
return conflicts
)lua";

}  // namespace

RedisSsrcRanges::RedisSsrcRanges(net::Loop& loop, RedisClient& redis, const NodeRegistry& registry,
                                 Options options)
    : loop_(loop),
      redis_(redis),
      registry_(registry),
      options_(std::move(options)),
      random_(std::random_device{}()),
      refresh_timer_(loop, [this] { Hold(); }) {
  redis_.AddListener(this);
  refresh_timer_.Start(options_.refresh_ms, options_.refresh_ms);
}

RedisSsrcRanges::~RedisSsrcRanges() { *alive_ = false; }

void RedisSsrcRanges::Claim(const std::string& node_id, uint32_t claimed, ClaimDone done) {
  ++counters_.claims;
  if (!SsrcRanges::IsRangeStart(claimed)) claimed = 0;
  const uint32_t first = static_cast<uint32_t>(random_() % SsrcRanges::kCount);
  std::weak_ptr<bool> alive = alive_;
  redis_.Command(
      {"EVAL", std::string(kCommon) + kClaim, "3", options_.prefix + "ssrc_ranges",
       options_.prefix + "ssrc_nodes", options_.prefix + "ssrc_seen", std::to_string(options_.reuse_after_ms),
       node_id, std::to_string(claimed), std::to_string(first), std::to_string(SsrcRanges::kCount),
       std::to_string(SsrcRanges::kSize), std::to_string(SsrcRanges::kBase)},
      [this, alive, node_id, done = std::move(done)](std::optional<RedisReply> reply) {
        if (alive.expired()) return;
        if (!reply || reply->type != RedisReply::Type::kInteger || reply->integer <= 0 ||
            !SsrcRanges::IsRangeStart(static_cast<uint32_t>(reply->integer))) {
          ++counters_.claims_unanswered;
          LOG_WARN("control.redis_ssrc_claim_failed", {"node", node_id},
                   {"error", reply ? (reply->is_error() ? reply->text : "no range free") : "no answer"});
          done(std::nullopt);
          return;
        }
        done(static_cast<uint32_t>(reply->integer));
      });
}

void RedisSsrcRanges::Hold() {
  if (!redis_.connected()) return;
  const uint64_t now = loop_.clock().NowUs();
  std::vector<std::string> args = {"EVAL",
                                   std::string(kCommon) + kHold,
                                   "3",
                                   options_.prefix + "ssrc_ranges",
                                   options_.prefix + "ssrc_nodes",
                                   options_.prefix + "ssrc_seen",
                                   std::to_string(options_.reuse_after_ms)};
  for (const auto& [id, record] : registry_.nodes()) {
    if (record.ssrc_range_start == 0) continue;
    const uint64_t age_ms = record.alive ? 0 : (now - std::min(now, record.last_heard_us)) / 1000;
    if (age_ms >= options_.reuse_after_ms) continue;  // anyone's now
    args.push_back(id);
    args.push_back(std::to_string(record.ssrc_range_start));
    args.push_back(std::to_string(age_ms));
  }
  if (args.size() == 7) return;
  ++counters_.holds;
  std::weak_ptr<bool> alive = alive_;
  redis_.Command(std::move(args), [this, alive](std::optional<RedisReply> reply) {
    if (alive.expired() || !reply) return;
    if (reply->is_error()) {
      LOG_WARN("control.redis_ssrc_hold_failed", {"error", reply->text});
    } else if (reply->integer > 0) {
      counters_.conflicts += static_cast<uint64_t>(reply->integer);
      LOG_ERROR("control.ssrc_range_conflict", {"ranges", reply->integer},
                {"reason", "Redis has another node on a range a node of this replica holds"});
    }
  });
}

void RedisSsrcRanges::RegisterMetrics(base::MetricsRegistry& metrics) const {
  auto counter = [&](const char* name, const char* help, const uint64_t* field) {
    metrics.AddCallback(name, help, true, {}, [field] { return static_cast<double>(*field); });
  };
  counter("cascade_control_redis_ssrc_claims_total", "SSRC range claims sent to Redis", &counters_.claims);
  counter("cascade_control_redis_ssrc_claims_unanswered_total",
          "SSRC range claims Redis did not answer (decided from memory)", &counters_.claims_unanswered);
  counter("cascade_control_ssrc_range_conflicts_total",
          "ranges a node of this replica holds that Redis has for another node", &counters_.conflicts);
}

}  // namespace cascade::control
