#include "tools/linkemu/LinkEmulator.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#include "core/base/Log.hpp"

namespace cascade::linkemu {
namespace {

constexpr size_t kSlotBytes = net::UdpSocket::kMaxDatagram;

const char* Name(Direction d) { return d == Direction::kAToB ? "a_to_b" : "b_to_a"; }

net::UdpSocket::Options SocketOptions(size_t send_queue) {
  net::UdpSocket::Options o;
  o.send_queue_datagrams = send_queue;
  return o;
}

}  // namespace

LinkEmulator::LinkEmulator(net::Loop& loop, Options options)
    : loop_(loop),
      options_(std::move(options)),
      a_to_b_{LinkModel(options_.a_to_b), LinkModel::Rng(options_.seed), {}},
      b_to_a_{LinkModel(options_.b_to_a), LinkModel::Rng(options_.seed ^ 0x9e3779b97f4a7c15ULL), {}},
      slot_storage_(new uint8_t[std::max<size_t>(options_.hold_packets, 1) * kSlotBytes]),
      timer_(loop, [this] { OnTimer(); }) {
  options_.hold_packets = std::max<size_t>(options_.hold_packets, 1);
  free_slots_.reserve(options_.hold_packets);
  for (size_t i = options_.hold_packets; i-- > 0;) free_slots_.push_back(static_cast<uint32_t>(i));
  heap_.reserve(options_.hold_packets);
  peers_.reserve(options_.max_peers);
  listen_ = std::make_unique<net::UdpSocket>(loop_, this, options_.listen, SocketOptions(8192));
}

LinkEmulator::~LinkEmulator() = default;

LinkEmulator::Peer* LinkEmulator::FindOrAddPeer(const net::SocketAddress& from) {
  if (auto it = peer_index_.find(from); it != peer_index_.end()) return peers_[it->second].get();
  if (peers_.size() >= options_.max_peers) return nullptr;
  auto peer = std::make_unique<Peer>();
  peer->owner = this;
  peer->index = static_cast<uint32_t>(peers_.size());
  peer->address = from;
  const auto bind = *net::SocketAddress::Parse(options_.target.is_v4() ? "0.0.0.0" : "::", 0);
  try {
    peer->upstream = std::make_unique<net::UdpSocket>(loop_, peer.get(), bind, SocketOptions(2048));
  } catch (const std::system_error& error) {
    LOG_WARN("linkemu.peer_socket_failed", {"peer", from.ToString()}, {"error", error.what()});
    return nullptr;
  }
  LOG_INFO("linkemu.peer", {"peer", from.ToString()},
           {"upstream", peer->upstream->local_address().ToString()}, {"target", options_.target.ToString()});
  peer_index_.emplace(from, peer->index);
  peers_.push_back(std::move(peer));
  return peers_.back().get();
}

void LinkEmulator::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data,
                                     const net::SocketAddress& from) {
  Peer* peer = FindOrAddPeer(from);
  if (!peer) {
    a_to_b_.model.CountDrop(DropReason::kTooManyPeers);
    return;
  }
  Process(Direction::kAToB, peer->index, data);
}

void LinkEmulator::Peer::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data,
                                           const net::SocketAddress& from) {
  if (!(from == owner->options_.target)) {
    owner->b_to_a_.model.CountDrop(DropReason::kStray);
    return;
  }
  owner->Process(Direction::kBToA, index, data);
}

void LinkEmulator::Process(Direction d, uint32_t peer, std::span<const uint8_t> data) {
  const uint64_t now = loop_.clock().NowUs();
  // Packets already due leave first, so one sent straight through cannot overtake them.
  if (!heap_.empty() && heap_.front().departure_us <= now) ReleaseDue(now);
  DirectionState& side = Side(d);
  const LinkModel::Decision decision = side.model.Decide(now, data.size(), side.rng);
  if (decision.drop) return;
  if (decision.departure_us <= now) {
    Forward(d, peer, data, decision.duplicate);
    return;
  }
  if (free_slots_.empty()) {
    side.model.CountDrop(DropReason::kHoldFull);
    return;
  }
  const uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  std::memcpy(slot_storage_.get() + static_cast<size_t>(slot) * kSlotBytes, data.data(), data.size());
  heap_.push_back(Held{decision.departure_us, sequence_++, slot, peer, static_cast<uint16_t>(data.size()), d,
                       decision.duplicate});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  if (armed_for_us_ == 0 || decision.departure_us < armed_for_us_) ArmTimer();
}

void LinkEmulator::Forward(Direction d, uint32_t peer_index, std::span<const uint8_t> data, bool duplicate) {
  DirectionState& side = Side(d);
  Peer& peer = *peers_[peer_index];
  net::UdpSocket& socket = d == Direction::kAToB ? *peer.upstream : *listen_;
  const net::SocketAddress& to = d == Direction::kAToB ? options_.target : peer.address;
  for (int copy = 0; copy < (duplicate ? 2 : 1); ++copy) {
    if (!socket.Send(data, to)) {
      side.model.CountDrop(DropReason::kSendQueueFull);
      continue;
    }
    ++side.stats.forwarded;
    side.stats.bytes_forwarded += data.size();
  }
}

void LinkEmulator::ReleaseDue(uint64_t now_us) {
  while (!heap_.empty() && heap_.front().departure_us <= now_us) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Held held = heap_.back();
    heap_.pop_back();
    Forward(held.direction, held.peer,
            {slot_storage_.get() + static_cast<size_t>(held.slot) * kSlotBytes, held.length}, held.duplicate);
    free_slots_.push_back(held.slot);
  }
}

void LinkEmulator::ArmTimer() {
  if (heap_.empty()) {
    timer_.Stop();
    armed_for_us_ = 0;
    return;
  }
  const uint64_t departure = heap_.front().departure_us;
  const uint64_t now = loop_.clock().NowUs();
  // Rounded up: a timer that fires early only costs a re-arm, one that fires late delays.
  const uint64_t timeout_ms = departure > now ? (departure - now + 999) / 1000 : 0;
  timer_.Start(timeout_ms);
  armed_for_us_ = departure;
}

void LinkEmulator::OnTimer() {
  armed_for_us_ = 0;
  ReleaseDue(loop_.clock().NowUs());
  ArmTimer();
}

nlohmann::json LinkEmulator::StateJson() const {
  nlohmann::json out;
  for (Direction d : {Direction::kAToB, Direction::kBToA}) {
    const DirectionState& side = Side(d);
    const LinkModel::Counters& c = side.model.counters();
    nlohmann::json drops = nlohmann::json::object();
    for (size_t i = 0; i < static_cast<size_t>(DropReason::kCount); ++i)
      drops[ToString(static_cast<DropReason>(i))] = c.drops.Get(static_cast<DropReason>(i));
    nlohmann::json j = ParamsToJson(side.model.params());
    j["counters"] = {{"packets", c.packets},
                     {"bytes", c.bytes},
                     {"forwarded", side.stats.forwarded},
                     {"bytes_forwarded", side.stats.bytes_forwarded},
                     {"duplicated", c.duplicated},
                     {"dropped", c.drops.Total()},
                     {"drops", drops}};
    out[Name(d)] = std::move(j);
  }
  out["listen"] = listen_->local_address().ToString();
  out["target"] = options_.target.ToString();
  out["peers"] = peers_.size();
  out["held"] = heap_.size();
  return out;
}

void LinkEmulator::ApplyJson(const nlohmann::json& body) {
  if (!body.is_object()) throw std::invalid_argument("expected a JSON object");
  LinkParams a = a_to_b_.model.params();
  LinkParams b = b_to_a_.model.params();
  for (const auto& [key, value] : body.items())
    if (key != "both" && key != "a_to_b" && key != "b_to_a")
      throw std::invalid_argument("unknown key '" + key + "' (expected a_to_b, b_to_a or both)");
  if (body.contains("both")) {
    ApplyParamsJson(body["both"], a);
    ApplyParamsJson(body["both"], b);
  }
  if (body.contains("a_to_b")) ApplyParamsJson(body["a_to_b"], a);
  if (body.contains("b_to_a")) ApplyParamsJson(body["b_to_a"], b);
  a_to_b_.model.SetParams(a);
  b_to_a_.model.SetParams(b);
  LOG_INFO("linkemu.params", {"a_to_b", ParamsToJson(a).dump()}, {"b_to_a", ParamsToJson(b).dump()});
}

void LinkEmulator::AddRoutes(net::HttpRouter& router, const base::MetricsRegistry& metrics) {
  router.Add("GET", "/link", [this](net::HttpRequest&, net::HttpRespond respond) {
    respond(net::HttpResponse::Json(200, StateJson().dump(2) + "\n"));
  });
  router.Add("PUT", "/link", [this](net::HttpRequest& request, net::HttpRespond respond) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) throw net::HttpError(400, "body is not JSON");
    try {
      ApplyJson(body);
    } catch (const std::invalid_argument& error) {
      throw net::HttpError(400, error.what());
    }
    respond(net::HttpResponse::Json(200, StateJson().dump(2) + "\n"));
  });
  router.Add("GET", "/metrics", [&metrics](net::HttpRequest&, net::HttpRespond respond) {
    respond(net::HttpResponse::Text(200, metrics.RenderPrometheus())
                .Set("Content-Type", "text/plain; version=0.0.4"));
  });
}

void LinkEmulator::RegisterMetrics(base::MetricsRegistry& registry) const {
  for (Direction d : {Direction::kAToB, Direction::kBToA}) {
    const DirectionState* side = &Side(d);
    const base::Labels labels{{"direction", Name(d)}};
    registry.AddCallback("linkemu_packets_total", "Datagrams that reached the link model", true, labels,
                         [side] { return static_cast<double>(side->model.counters().packets); });
    registry.AddCallback("linkemu_bytes_total", "Bytes that reached the link model", true, labels,
                         [side] { return static_cast<double>(side->model.counters().bytes); });
    registry.AddCallback("linkemu_forwarded_total", "Datagrams sent on, duplicates included", true, labels,
                         [side] { return static_cast<double>(side->stats.forwarded); });
    registry.AddCallback("linkemu_forwarded_bytes_total", "Bytes sent on", true, labels,
                         [side] { return static_cast<double>(side->stats.bytes_forwarded); });
    registry.AddCallback("linkemu_duplicated_total", "Datagrams sent twice", true, labels,
                         [side] { return static_cast<double>(side->model.counters().duplicated); });
    side->model.counters().drops.RegisterIn(registry, "linkemu_dropped_total", "Datagrams dropped, by reason",
                                            labels);
  }
  registry.AddCallback("linkemu_held_packets", "Datagrams waiting for their departure time", false, {},
                       [this] { return static_cast<double>(heap_.size()); });
  registry.AddCallback("linkemu_peers", "Side-A peers with an upstream socket", false, {},
                       [this] { return static_cast<double>(peers_.size()); });
  listen_->RegisterMetrics(registry, {{"socket", "linkemu_listen"}});
}

}  // namespace cascade::linkemu
