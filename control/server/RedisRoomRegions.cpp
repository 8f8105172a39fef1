#include "control/server/RedisRoomRegions.hpp"

#include "core/base/Log.hpp"

namespace cascade::control {
namespace {

// KEYS[1] the room's hash; ARGV[1] first user's region ('' none), ARGV[2] publisher's
// region ('' unchanged), ARGV[3] ttl ms. Returns what is recorded: {first_user, publisher}.
constexpr const char* kSaveScript = R"lua(
if ARGV[1] ~= '' then redis.call('HSETNX', KEYS[1], 'first_user', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'publisher', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('HMGET', KEYS[1], 'first_user', 'publisher')
)lua";

}  // namespace

RedisRoomRegions::RedisRoomRegions(RedisClient& redis, Options options)
    : redis_(redis), options_(std::move(options)) {
  redis_.AddListener(this);
}

RedisRoomRegions::~RedisRoomRegions() { *alive_ = false; }

std::optional<SharedRoomRegions> RedisRoomRegions::Parse(const std::optional<RedisReply>& reply) {
  if (!reply || reply->type != RedisReply::Type::kArray || reply->elements.size() != 2) return std::nullopt;
  SharedRoomRegions regions;
  if (reply->elements[0].type == RedisReply::Type::kString) regions.first_user = reply->elements[0].text;
  if (reply->elements[1].type == RedisReply::Type::kString) regions.publisher = reply->elements[1].text;
  if (regions.first_user.empty() && regions.publisher.empty()) return std::nullopt;
  return regions;
}

void RedisRoomRegions::Load(const std::string& room, Done done) {
  std::weak_ptr<bool> alive = alive_;
  redis_.Command({"HMGET", options_.prefix + "room:" + room, "first_user", "publisher"},
                 [this, alive, room, done = std::move(done)](std::optional<RedisReply> reply) {
                   if (alive.expired()) return;
                   auto regions = Parse(reply);
                   if (regions) known_[room] = *regions;
                   done(regions);
                 });
}

void RedisRoomRegions::Save(const std::string& room, const SharedRoomRegions& regions, Done done) {
  SharedRoomRegions& known = known_[room];
  if (known.first_user.empty()) known.first_user = regions.first_user;
  if (!regions.publisher.empty()) known.publisher = regions.publisher;
  std::weak_ptr<bool> alive = alive_;
  redis_.Command({"EVAL", kSaveScript, "1", options_.prefix + "room:" + room, regions.first_user,
                  regions.publisher, std::to_string(options_.ttl_ms)},
                 [this, alive, room, done = std::move(done)](std::optional<RedisReply> reply) {
                   if (alive.expired()) return;
                   if (reply && reply->is_error())
                     LOG_WARN("control.redis_room_save_failed", {"room", room}, {"error", reply->text});
                   auto recorded = Parse(reply);
                   if (recorded) known_[room] = *recorded;
                   if (done) done(recorded);
                 });
}

void RedisRoomRegions::OnRedisConnected() {
  for (const auto& [room, regions] : known_) Save(room, regions, nullptr);
}

}  // namespace cascade::control
