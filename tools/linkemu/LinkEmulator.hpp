#pragma once
// A transparent UDP proxy that impairs traffic like a WAN link: clients (side A) send to
// the listen socket, each A peer gets its own upstream socket on an ephemeral port towards
// the target (side B), and B's replies on that socket go back to that peer. Each direction
// runs a LinkModel; delayed packets wait in a preallocated time-ordered heap released by a
// loop timer (ms resolution), so nothing is allocated per packet in steady state.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/base/Metrics.hpp"
#include "core/net/HttpRouter.hpp"
#include "core/net/Loop.hpp"
#include "core/net/SocketAddress.hpp"
#include "core/net/Timer.hpp"
#include "core/net/UdpSocket.hpp"
#include "tools/linkemu/LinkModel.hpp"

namespace cascade::linkemu {

enum class Direction : uint8_t { kAToB, kBToA };

class LinkEmulator : public net::UdpSocket::Listener {
 public:
  struct Options {
    net::SocketAddress listen;  // port 0 picks one
    net::SocketAddress target;
    LinkParams a_to_b;
    LinkParams b_to_a;
    uint64_t seed = 1;
    size_t hold_packets = 16384;  // packets in flight across both directions
    size_t max_peers = 16;
  };

  struct DirectionStats {
    uint64_t forwarded = 0;  // datagrams handed to a socket, duplicates included
    uint64_t bytes_forwarded = 0;
  };

  // Throws std::system_error when the listen address cannot be bound.
  LinkEmulator(net::Loop& loop, Options options);
  ~LinkEmulator() override;
  LinkEmulator(const LinkEmulator&) = delete;
  LinkEmulator& operator=(const LinkEmulator&) = delete;

  const net::SocketAddress& listen_address() const { return listen_->local_address(); }
  const net::SocketAddress& target() const { return options_.target; }
  const LinkModel& model(Direction d) const { return Side(d).model; }
  const DirectionStats& stats(Direction d) const { return Side(d).stats; }
  void SetParams(Direction d, const LinkParams& params) { Side(d).model.SetParams(params); }
  size_t held() const { return heap_.size(); }
  size_t peers() const { return peers_.size(); }

  // GET /link body: parameters and counters per direction.
  nlohmann::json StateJson() const;
  // PUT /link body: {"a_to_b": {...}, "b_to_a": {...}, "both": {...}} ("both" first); throws
  // std::invalid_argument and changes nothing when any part is invalid.
  void ApplyJson(const nlohmann::json& body);

  // GET /link, PUT /link and GET /metrics (rendering `metrics`, which must outlive the router).
  void AddRoutes(net::HttpRouter& router, const base::MetricsRegistry& metrics);
  void RegisterMetrics(base::MetricsRegistry& registry) const;

  // net::UdpSocket::Listener (the listen socket: packets from side A)
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override;

 private:
  struct DirectionState {
    LinkModel model;
    LinkModel::Rng rng;
    DirectionStats stats;
  };
  // Receives side B's replies on one peer's upstream socket.
  struct Peer : net::UdpSocket::Listener {
    LinkEmulator* owner = nullptr;  // the emulator owning this peer
    uint32_t index = 0;
    net::SocketAddress address;                // side A
    std::unique_ptr<net::UdpSocket> upstream;  // allocated by this, towards side B
    void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                           const net::SocketAddress& from) override;
  };
  struct Held {
    uint64_t departure_us;
    uint64_t sequence;  // ties leave in arrival order
    uint32_t slot;
    uint32_t peer;
    uint16_t length;
    Direction direction;
    bool duplicate;
  };
  struct Later {
    bool operator()(const Held& a, const Held& b) const {
      return a.departure_us != b.departure_us ? a.departure_us > b.departure_us : a.sequence > b.sequence;
    }
  };

  DirectionState& Side(Direction d) { return d == Direction::kAToB ? a_to_b_ : b_to_a_; }
  const DirectionState& Side(Direction d) const { return d == Direction::kAToB ? a_to_b_ : b_to_a_; }
  Peer* FindOrAddPeer(const net::SocketAddress& from);
  void Process(Direction d, uint32_t peer, std::span<const uint8_t> data);
  void Forward(Direction d, uint32_t peer, std::span<const uint8_t> data, bool duplicate);
  void ReleaseDue(uint64_t now_us);
  void ArmTimer();
  void OnTimer();

  net::Loop& loop_;
  Options options_;
  DirectionState a_to_b_;
  DirectionState b_to_a_;
  std::unique_ptr<net::UdpSocket> listen_;  // allocated by this
  std::vector<std::unique_ptr<Peer>> peers_;
  std::unordered_map<net::SocketAddress, uint32_t, net::SocketAddressHash> peer_index_;

  // Hold queue: a min-heap of entries over fixed-size payload slots, all allocated here.
  std::unique_ptr<uint8_t[]> slot_storage_;
  std::vector<uint32_t> free_slots_;
  std::vector<Held> heap_;
  uint64_t sequence_ = 0;
  net::Timer timer_;
  uint64_t armed_for_us_ = 0;  // departure the timer is set for; 0 when idle
};

}  // namespace cascade::linkemu
