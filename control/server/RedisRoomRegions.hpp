#pragma once
// Rooms' regions (ClientEntry's RoomRegionStore) shared by every control replica through
// Redis: one hash per room, `cascade:room:<name>` with `first_user` and `publisher` (region
// names), kept for a day after its last change. The first user's region is set only if none
// is (HSETNX inside one Lua script that also reads the record back), so two replicas placing
// a room's first users at once agree on which came first. Everything saved or loaded is
// kept here too and written again after each (re)connect: a Redis that restarted empty
// gets back every room this replica knows.
#include <map>
#include <string>

#include "control/server/ClientEntry.hpp"
#include "control/server/RedisClient.hpp"

namespace cascade::control {

class RedisRoomRegions : public RoomRegionStore, public RedisClient::Listener {
 public:
  struct Options {
    std::string prefix = "cascade:";
    uint64_t ttl_ms = 24ull * 3600 * 1000;
  };
  // `redis` must outlive this.
  RedisRoomRegions(RedisClient& redis, Options options);
  ~RedisRoomRegions() override;
  RedisRoomRegions(const RedisRoomRegions&) = delete;
  RedisRoomRegions& operator=(const RedisRoomRegions&) = delete;

  // RoomRegionStore
  void Load(const std::string& room, Done done) override;
  void Save(const std::string& room, const SharedRoomRegions& regions, Done done) override;

  // RedisClient::Listener
  void OnRedisConnected() override;

 private:
  // The record a reply of HMGET first_user publisher holds; nullopt when it holds none.
  static std::optional<SharedRoomRegions> Parse(const std::optional<RedisReply>& reply);

  RedisClient& redis_;
  Options options_;
  std::map<std::string, SharedRoomRegions> known_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cascade::control
