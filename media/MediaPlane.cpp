#include "media/MediaPlane.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <openssl/rand.h>

#include <algorithm>

#include "core/base/Bytes.hpp"
#include "core/base/Log.hpp"
#include "core/ice/PacketDemux.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/rtcp/CompoundReader.hpp"

namespace cascade::media {
namespace {

// Links keep consent alive every 2 s; a parent that hears nothing for this long drops the
// child (it is gone or its path is), well before a browser's 30 s.
constexpr uint64_t kLinkConsentTimeoutMs = 10'000;

const char* EndName(Link::End end) { return end == Link::End::kParent ? "parent" : "child"; }

}  // namespace

Room::Options RoomOptionsFromConfig(const base::Config& config) {
  Room::Options options;
  options.keyframe_request_interval_us =
      static_cast<uint64_t>(config.GetInt("media.keyframe_interval_ms", 300, 10, 10000)) * 1000;
  options.publisher_bitrate_cap_bps =
      static_cast<uint64_t>(config.GetInt("edge.publisher_max_bitrate", 5'000'000, 100'000, 100'000'000));
  return options;
}

MediaPlane::MediaPlane(NodeRuntime& runtime, Room::Options room_options, uint64_t parent_silence_ms)
    : runtime_(runtime), room_options_(room_options), parent_silence_us_(parent_silence_ms * 1000) {
  dtls_context_ = std::make_unique<dtls::DtlsContext>(runtime_.certificate());
  RAND_bytes(reinterpret_cast<uint8_t*>(&ssrc_fallback_base_), sizeof(ssrc_fallback_base_));
  ssrc_fallback_base_ &= 0x0FF00000u;  // below every range control hands out (SsrcRanges::kBase)
  RegisterMetrics();
  fast_timer_ = std::make_unique<net::Timer>(runtime_.loop(), [this] { OnFastTick(); });
  fast_timer_->Start(10, 10);
  slow_timer_ = std::make_unique<net::Timer>(runtime_.loop(), [this] { OnSlowTick(); });
  slow_timer_->Start(500, 500);
  runtime_.fill_rooms = [this](std::vector<control::RoomReport>& out) { ReportRooms(out); };
  runtime_.describe_media = [this] { return DescribeRooms().dump(); };
}

double MediaPlane::ViewerSum(const std::function<uint64_t(const ViewerSubscriber&)>& value) const {
  uint64_t sum = 0;
  for (const auto& [name, room] : rooms_) {
    for (const auto& viewer : room->viewers()) sum += value(*viewer);
  }
  return static_cast<double>(sum);
}

nlohmann::json MediaPlane::DescribeRooms() const {
  const uint64_t now_us = runtime_.loop().clock().NowUs();
  nlohmann::json rooms = nlohmann::json::object();
  for (const auto& [name, room] : rooms_) {
    nlohmann::json streams = nlohmann::json::array();
    for (const auto& stream : room->streams()) {
      streams.push_back({{"ssrc", stream->ssrc()},
                         {"mesh_ssrc", stream->mesh_ssrc()},
                         {"kind", stream->kind() == TrackKind::kAudio ? "audio" : "video"},
                         {"layer", stream->layer()},
                         {"bitrate_bps", stream->bitrate_bps()},
                         {"height", stream->height()},
                         {"live", stream->live(now_us)},
                         {"paused_upstream", stream->paused()}});
    }
    nlohmann::json children = nlohmann::json::array();
    for (const auto& child : room->children()) {
      nlohmann::json traffic = nlohmann::json::object();
      for (const auto& layer : child->traffic()) {
        traffic[layer.layer.empty() ? "-" : layer.layer] = {
            {"packets", layer.packets}, {"bytes", layer.bytes}, {"paused_packets", layer.paused_packets}};
      }
      children.push_back(
          {{"peer", child->link().peer_node_id()}, {"paused", child->paused_streams()}, {"sent", traffic}});
    }
    rooms[name] = {{"parent", room->parent() ? room->parent()->peer_node_id() : std::string()},
                   {"publisher", room->publisher() != nullptr},
                   {"viewers", room->viewer_count()},
                   {"streams", std::move(streams)},
                   {"children", std::move(children)}};
  }
  return {{"rooms", std::move(rooms)}};
}

void MediaPlane::ReportRooms(std::vector<control::RoomReport>& out) const {
  out.reserve(rooms_.size());
  for (const auto& [name, room] : rooms_) {
    out.push_back({name, room->publisher() != nullptr, static_cast<uint32_t>(room->viewer_count()),
                   room->parent() ? room->parent()->peer_node_id() : std::string()});
  }
}

MediaPlane::~MediaPlane() {
  runtime_.fill_rooms = nullptr;
  runtime_.describe_media = nullptr;
  // Rooms point at sessions and links; transports reference the socket and DTLS context.
  rooms_.clear();
  sessions_.clear();
  links_.clear();
}

void MediaPlane::RegisterMetrics() {
  auto& metrics = runtime_.metrics();
  auto counter = [&](const char* name, const char* help, const uint64_t* field) {
    metrics.AddCallback(name, help, true, {}, [field] { return static_cast<double>(*field); });
  };
  counter("cascade_media_packets_forwarded_total", "RTP packets sent to viewers",
          &counters_.packets_forwarded);
  counter("cascade_media_bytes_forwarded_total", "RTP bytes sent to viewers (before SRTP)",
          &counters_.bytes_forwarded);
  counter("cascade_media_packets_not_forwarded_total", "RTP packets a viewer could not take",
          &counters_.packets_not_forwarded);
  counter("cascade_media_link_packets_forwarded_total", "RTP packets sent to child links",
          &counters_.link_packets_forwarded);
  counter("cascade_media_link_bytes_forwarded_total", "RTP bytes sent to child links (before SRTP)",
          &counters_.link_bytes_forwarded);
  counter("cascade_media_keyframe_requests_received_total", "PLI/FIR from viewers and children",
          &counters_.keyframe_requests_received);
  counter("cascade_media_keyframe_requests_sent_total", "PLI sent upstream (coalesced)",
          &counters_.keyframe_requests_sent);
  counter("cascade_media_chat_messages_total", "chat messages relayed", &counters_.chat_messages);
  counter("cascade_media_nack_received_total", "NACK messages from viewers and children",
          &counters_.nacks_received);
  counter("cascade_media_nack_resent_packets_total", "packets resent from this node's cache",
          &counters_.nack_packets_resent);
  counter("cascade_media_nack_not_in_cache_total", "NACKed packets this node did not have",
          &counters_.nack_not_in_cache);
  counter("cascade_media_nack_already_requested_total",
          "NACKed packets this node is itself requesting upstream", &counters_.nack_already_requested);
  counter("cascade_media_nack_suppressed_total",
          "NACKed packets resent to that receiver less than one RTT ago", &counters_.nack_suppressed);
  counter("cascade_media_nack_sent_total", "NACK messages sent upstream", &counters_.nacks_sent);
  counter("cascade_media_nack_requested_seqs_total", "sequence numbers NACKed upstream (retries included)",
          &counters_.nack_seqs_requested);
  counter("cascade_media_nack_recovered_total", "packets lost upstream that arrived after a NACK",
          &counters_.nack_recovered);
  counter("cascade_media_nack_given_up_total", "packets lost upstream this node stopped NACKing",
          &counters_.nack_given_up);
  counter("cascade_media_unmatched_packets_total", "datagrams from addresses with no session or link",
          &unmatched_packets_);
  counter("cascade_media_layers_paused_total",
          "video streams this node asked its parent to stop (layer-aware trees)", &counters_.layers_paused);
  counter("cascade_media_layers_resumed_total", "paused video streams this node asked its parent for again",
          &counters_.layers_resumed);
  counter("cascade_media_probes_sent_total", "bandwidth probe clusters sent to viewers",
          &counters_.probes_sent);
  counter("cascade_media_packets_dropped_for_layer_total",
          "video packets of temporal layers above a viewer's", &counters_.packets_dropped_for_layer);
  for (size_t reason = 1; reason < static_cast<size_t>(LayerSwitchReason::kCount); ++reason) {
    const uint64_t* field = &counters_.layer_switches[reason];
    metrics.AddCallback("cascade_viewer_layer_switches_total", "layer changes of viewers, by reason", true,
                        {{"reason", ToString(static_cast<LayerSwitchReason>(reason))}},
                        [field] { return static_cast<double>(*field); });
  }
  // Per-viewer figures summed at scrape time (one series per node, not per viewer).
  metrics.AddCallback(
      "cascade_viewer_estimate_bps_sum", "sum of the viewers' bandwidth estimates", false, {}, [this] {
        return ViewerSum(
            [](const ViewerSubscriber& v) { return v.has_estimate() ? v.estimator().target_bps() : 0; });
      });
  metrics.AddCallback(
      "cascade_viewers_with_estimate", "viewers whose feedback drives their layer", false, {},
      [this] { return ViewerSum([](const ViewerSubscriber& v) { return v.has_estimate() ? 1 : 0; }); });
  metrics.AddCallback("cascade_viewers_below_top_layer",
                      "viewers getting less than the publisher's best live layer", false, {}, [this] {
                        return ViewerSum([](const ViewerSubscriber& v) {
                          return v.selector().target().reason == LayerSwitchReason::kEstimateDown ? 1 : 0;
                        });
                      });
  counter("cascade_media_layer_messages_total", "layer preferences set on viewers' \"layer\" data channels",
          &layer_messages_);
  counter("cascade_media_layer_messages_invalid_total",
          "messages on viewers' \"layer\" data channels that name no preference", &layer_messages_invalid_);
  counter("cascade_process_heap_trims_total", "free heap pages returned to the system after sessions ended",
          &heap_trims_);
  counter("cascade_media_commands_applied_total", "tree commands applied", &commands_applied_);
  counter("cascade_media_commands_failed_total", "tree commands refused", &commands_failed_);
  counter("cascade_link_parent_silences_total",
          "parents that went silent while carrying media (told to control)", &parent_silences_);
  metrics.AddCallback("cascade_media_links", "links to other nodes", false, {},
                      [this] { return static_cast<double>(links_.size()); });
  metrics.AddCallback("cascade_media_rooms", "rooms on this node", false, {},
                      [this] { return static_cast<double>(rooms_.size()); });
  drops_.RegisterIn(metrics, "cascade_media_dropped_packets_total", "packets dropped by a transport");
  stun_errors_.RegisterIn(metrics, "cascade_stun_parse_errors_total", "STUN messages that failed to parse");
  link_message_errors_.RegisterIn(metrics, "cascade_link_bad_messages_total",
                                  "link messages that failed to parse");
  dtls_context_->RegisterMetrics(metrics);
}

void MediaPlane::RegisterLinkMetrics(Link& link) {
  auto& metrics = runtime_.metrics();
  base::Labels labels{{"peer", link.peer_node_id()}, {"end", EndName(link.end())}};
  auto add = [&](const char* name, const char* help, bool is_counter, std::function<double()> read) {
    // The link owns the registrations: they end with it, exactly what was registered.
    link.metrics().Add(metrics.RegisterCallback(name, help, is_counter, labels, std::move(read)));
  };
  const LinkCounters* c = &link.counters();
  Link* raw = &link;
  add("cascade_link_rtp_packets_sent_total", "RTP packets sent on the link", true,
      [c] { return static_cast<double>(c->rtp_packets_sent); });
  add("cascade_link_rtp_bytes_sent_total", "RTP bytes sent on the link", true,
      [c] { return static_cast<double>(c->rtp_bytes_sent); });
  add("cascade_link_rtp_packets_received_total", "RTP packets received on the link", true,
      [c] { return static_cast<double>(c->rtp_packets_received); });
  add("cascade_link_rtp_bytes_received_total", "RTP bytes received on the link", true,
      [c] { return static_cast<double>(c->rtp_bytes_received); });
  add("cascade_link_lost_before_repair_total", "packets from the peer found missing", true,
      [c] { return static_cast<double>(c->lost_before_repair); });
  add("cascade_link_lost_after_repair_total", "packets from the peer never recovered", true,
      [c] { return static_cast<double>(c->lost_after_repair); });
  add("cascade_link_nacks_sent_total", "NACK messages sent to the peer", true,
      [c] { return static_cast<double>(c->nacks_sent); });
  add("cascade_link_nacks_received_total", "NACK messages from the peer", true,
      [c] { return static_cast<double>(c->nacks_received); });
  add("cascade_link_packets_resent_total", "packets resent to the peer", true,
      [c] { return static_cast<double>(c->packets_resent); });
  add("cascade_link_keyframe_requests_sent_total", "PLI sent to the peer", true,
      [c] { return static_cast<double>(c->keyframe_requests_sent); });
  add("cascade_link_messages_not_sent_total", "link messages too large or refused", true,
      [c] { return static_cast<double>(c->messages_not_sent); });
  add("cascade_link_unannounced_packets_total", "RTP for streams the peer never announced", true,
      [c] { return static_cast<double>(c->unannounced_packets); });
  add("cascade_link_rtt_seconds", "round-trip time to the peer", false,
      [raw] { return static_cast<double>(raw->rtt_us()) / 1e6; });
  add("cascade_link_connected", "1 when DTLS is up", false, [raw] { return raw->connected() ? 1.0 : 0.0; });
}

uint32_t MediaPlane::AllocateSsrc() {
  uint32_t base = runtime_.ssrc_range_start();
  ++ssrc_counter_;
  return base ? base + (ssrc_counter_ % runtime_.ssrc_range_size())
              : ssrc_fallback_base_ + (ssrc_counter_ % (1u << 20));
}

Room& MediaPlane::RoomFor(const std::string& name) {
  auto& room = rooms_[name];
  if (!room) room = std::make_unique<Room>(name, room_options_, counters_, [this] { return AllocateSsrc(); });
  return *room;
}

Room* MediaPlane::FindRoom(const std::string& name) {
  auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : it->second.get();
}

void MediaPlane::EraseRoomIfEmpty(const std::string& name) {
  auto it = rooms_.find(name);
  if (it == rooms_.end() || !it->second->empty()) return;
  Room* room = it->second.get();
  std::erase_if(rooms_by_ssrc_, [room](const auto& entry) { return entry.second == room; });
  rooms_.erase(it);
}

size_t MediaPlane::session_count(SessionKind kind) const {
  size_t n = 0;
  for (const auto& [id, session] : sessions_) n += session->kind() == kind ? 1 : 0;
  return n;
}

void MediaPlane::AddSession(std::unique_ptr<ClientSession> session) {
  ClientSession* raw = session.get();
  auto& transport = raw->transport();
  by_ufrag_[transport.local_ufrag()] = &transport;
  owners_[&transport] = Owner{raw, nullptr};
  Room& room = RoomFor(raw->room());
  if (raw->kind() == SessionKind::kPublisher) {
    room.SetPublisher(raw);
  } else {
    room.AddViewer(raw);
  }
  sessions_[raw->id()] = std::move(session);
}

void MediaPlane::RekeyUfrag(const std::string& old_ufrag, transport::WebRtcTransport& transport) {
  if (!owners_.contains(&transport)) return;
  if (auto it = by_ufrag_.find(old_ufrag); it != by_ufrag_.end() && it->second == &transport) {
    by_ufrag_.erase(it);
  }
  by_ufrag_[transport.local_ufrag()] = &transport;
}

ClientSession* MediaPlane::FindSession(const std::string& id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void MediaPlane::Forget(transport::WebRtcTransport& transport) {
  std::erase_if(by_ufrag_, [&](const auto& entry) { return entry.second == &transport; });
  std::erase_if(by_address_, [&](const auto& entry) { return entry.second == &transport; });
  owners_.erase(&transport);
  transport.Close();
}

void MediaPlane::DestroySession(const std::string& id, const char* reason) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  ClientSession* session = it->second.get();
  if (Room* room = FindRoom(session->room())) {
    room->Remove(session);
    EraseRoomIfEmpty(session->room());
  }
  if (session->has_transport()) Forget(session->transport());
  LOG_INFO("session.ended", {"session", id}, {"room", session->room()}, {"kind", ToString(session->kind())},
           {"reason", reason});
  sessions_.erase(it);
  last_session_end_us_ = runtime_.loop().clock().NowUs();
  heap_trim_pending_ = true;
}

MediaPlane::Owner MediaPlane::OwnerOf(transport::WebRtcTransport* transport) const {
  auto it = owners_.find(transport);
  return it == owners_.end() ? Owner{} : it->second;
}

void MediaPlane::OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data, const net::SocketAddress& from) {
  auto kind = ice::PacketDemux::Classify(data);
  if (kind == ice::PacketKind::kStun) {
    auto message = ice::StunMessage::Parse(data);
    if (!message.ok()) {
      stun_errors_.Inc(message.error());
      return;
    }
    transport::WebRtcTransport* transport = nullptr;
    if (auto username = message->username()) {
      // RFC 8445 §7.3: the first half of USERNAME is our ufrag, which names the transport.
      auto it = by_ufrag_.find(std::string(username->substr(0, username->find(':'))));
      if (it != by_ufrag_.end()) transport = it->second;
    } else {
      // Answers to our own checks (links to a parent) carry no USERNAME: the 5-tuple says.
      auto it = by_address_.find(from);
      if (it != by_address_.end()) transport = it->second;
    }
    if (!transport) {
      ++unmatched_packets_;
      return;
    }
    transport->ReceiveStun(*message, from);
    return;
  }
  auto it = by_address_.find(from);
  if (it == by_address_.end()) {
    ++unmatched_packets_;
    return;
  }
  auto& transport = *it->second;
  switch (kind) {
    case ice::PacketKind::kDtls: transport.ReceiveDtls(data, from); break;
    case ice::PacketKind::kRtp: transport.ReceiveRtp(data, from); break;
    case ice::PacketKind::kRtcp: transport.ReceiveRtcp(data, from); break;
    default: ++unmatched_packets_; break;
  }
}

void MediaPlane::OnWebRtcTransportAddressSelected(transport::WebRtcTransport* transport,
                                                  const net::SocketAddress& address) {
  if (!owners_.contains(transport)) return;
  std::erase_if(by_address_, [transport](const auto& entry) { return entry.second == transport; });
  by_address_[address] = transport;
}

void MediaPlane::OnWebRtcTransportConnected(transport::WebRtcTransport* transport) {
  Owner owner = OwnerOf(transport);
  uint64_t now = runtime_.loop().clock().NowUs();
  if (owner.link) {
    LOG_INFO("link.connected", {"peer", owner.link->peer_node_id()}, {"end", EndName(owner.link->end())});
    owner.link->OnConnected();
    std::vector<std::string> waiting;
    for (const auto& [stream, link] : pending_parents_) {
      if (link == owner.link) waiting.push_back(stream);
    }
    for (const auto& stream : waiting) {
      if (Room* room = FindRoom(stream)) SwitchParent(*room, *owner.link);
    }
    return;
  }
  if (!owner.session) return;
  ClientSession* session = owner.session;
  LOG_INFO("session.connected", {"session", session->id()}, {"room", session->room()},
           {"kind", ToString(session->kind())}, {"setup_ms", (now - session->created_us) / 1000});
  if (session->kind() == SessionKind::kViewer) {
    if (Room* room = FindRoom(session->room())) room->OnViewerConnected(session, now);
  }
}

void MediaPlane::OnWebRtcTransportRtp(transport::WebRtcTransport* transport, rtp::RtpPacket& packet) {
  Owner owner = OwnerOf(transport);
  const uint64_t now = runtime_.loop().clock().NowUs();
  if (owner.link) {
    if (owner.link->end() != Link::End::kChild) return;  // children send no media up
    owner.link->OnHeardFromParent(now);
    auto it = rooms_by_ssrc_.find(packet.ssrc());
    if (it == rooms_by_ssrc_.end() || it->second->parent() != owner.link) {
      ++owner.link->counters().unannounced_packets;
      return;
    }
    it->second->OnParentRtp(packet, now);
    return;
  }
  if (!owner.session || owner.session->kind() != SessionKind::kPublisher) return;
  if (Room* room = FindRoom(owner.session->room())) room->OnPublisherRtp(packet, now);
}

void MediaPlane::OnWebRtcTransportRtcp(transport::WebRtcTransport* transport,
                                       std::span<const uint8_t> compound) {
  Owner owner = OwnerOf(transport);
  if (owner.link) {
    OnLinkRtcp(*owner.link, compound);
    return;
  }
  if (!owner.session || owner.session->kind() == SessionKind::kPublisher) return;
  if (Room* room = FindRoom(owner.session->room())) {
    room->OnViewerRtcp(owner.session, compound, runtime_.loop().clock().NowUs());
  }
}

void MediaPlane::OnLinkRtcp(Link& link, std::span<const uint8_t> compound) {
  // A link's compound may speak about streams of several rooms: it is parsed once here and
  // each packet goes to the room of the stream it names.
  const uint64_t now = runtime_.loop().clock().NowUs();
  if (link.end() == Link::End::kChild) link.OnHeardFromParent(now);
  rtcp::CompoundReader reader(compound);
  rtcp::RtcpPacket packet;
  while (reader.Next(packet)) {
    Room* room = RoomOfLinkRtcp(link, packet);
    if (!room) continue;
    if (link.end() == Link::End::kChild && room->parent() == &link) room->OnParentRtcp(packet, now);
    if (link.end() == Link::End::kParent) room->OnChildRtcp(&link, packet, now);
  }
}

Room* MediaPlane::RoomOfLinkRtcp(Link& link, const rtcp::RtcpPacket& packet) {
  // Feedback names the media SSRC, a sender report its sender, a receiver report its blocks
  // (any of them gives the link's RTT).
  size_t offset = 0;
  switch (packet.type) {
    case rtcp::kPtRtpfb:
    case rtcp::kPtPsfb: offset = 4; break;
    case rtcp::kPtSr: offset = 0; break;
    case rtcp::kPtRr: offset = 4; break;
    default: return nullptr;
  }
  if (packet.payload.size() < offset + 4) return nullptr;
  const uint32_t ssrc = base::LoadBe32(packet.payload.data() + offset);
  if (auto it = rooms_by_ssrc_.find(ssrc);
      it != rooms_by_ssrc_.end() && link.rooms().contains(it->second->name())) {
    return it->second;
  }
  // Streams this node originates are not in rooms_by_ssrc_ (that maps what parents announce).
  for (const auto& name : link.rooms()) {
    Room* room = FindRoom(name);
    if (room && room->FindMeshStream(ssrc)) return room;
  }
  return nullptr;
}

void MediaPlane::OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport* transport,
                                                    const sctp::DataChannel& channel) {
  Owner owner = OwnerOf(transport);
  if (owner.link) owner.link->OnChannelOpened(channel.stream_id(), channel.label());
  if (owner.session && channel.label() == "chat") owner.session->chat_stream = channel.stream_id();
  if (owner.session && channel.label() == "layer") owner.session->layer_stream = channel.stream_id();
}

void MediaPlane::OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport* transport,
                                                     uint16_t stream_id, sctp::DataChannelMessageType,
                                                     std::span<const uint8_t> data) {
  Owner owner = OwnerOf(transport);
  if (owner.link) {
    if (owner.link->IsLinkChannel(stream_id)) OnLinkMessage(*owner.link, data);
    return;
  }
  if (!owner.session) return;
  if (owner.session->layer_stream == stream_id) {
    OnLayerMessage(*owner.session, stream_id, data);
    return;
  }
  if (owner.session->chat_stream != stream_id) return;
  if (Room* room = FindRoom(owner.session->room())) {
    room->OnChat(owner.session, nullptr,
                 std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  }
}

// A viewer's preference without a round trip through HTTP (thumbnail vs main view): the
// message is what `PUT .../layer` takes, the reply a JSON object on the same channel. The
// channel lives inside the viewer's DTLS session, so it needs no token.
void MediaPlane::OnLayerMessage(ClientSession& session, uint16_t stream_id, std::span<const uint8_t> data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  Room* room = FindRoom(session.room());
  ViewerSubscriber* viewer = room ? room->FindViewer(&session) : nullptr;
  auto preference = LayerPreference::Parse(text);
  nlohmann::json reply;
  if (!viewer) {
    ++layer_messages_invalid_;
    reply = {{"ok", false}, {"error", "this session is not a viewer"}};
  } else if (!preference) {
    ++layer_messages_invalid_;
    reply = {{"ok", false}, {"error", LayerPreference::kSyntaxError}};
  } else {
    ++layer_messages_;
    viewer->SetPreference(*preference);
    reply = {{"ok", true}, {"preference", text.substr(0, text.find_last_not_of(" \r\n") + 1)}};
  }
  if (!session.has_transport()) return;
  const std::string bytes = reply.dump();
  session.transport().SendDataChannelMessage(
      stream_id, sctp::DataChannelMessageType::kText,
      std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

void MediaPlane::OnLinkMessage(Link& link, std::span<const uint8_t> data) {
  ++link.counters().messages_received;
  auto message = ParseLinkMessage(data);
  if (!message.ok()) {
    link_message_errors_.Inc(message.error());
    ++link.counters().bad_messages;
    return;
  }
  // Only rooms this link serves: a peer cannot feed or flood a room it was not put in.
  auto room_of = [&](const std::string& name) -> Room* {
    Room* room = link.rooms().contains(name) ? FindRoom(name) : nullptr;
    if (!room) ++link.counters().bad_messages;
    return room;
  };
  if (const auto* announce = std::get_if<StreamAnnounce>(&*message)) {
    Room* room = room_of(announce->room);
    if (!room || room->parent() != &link) return;
    if (room->OnAnnounce(*announce)) rooms_by_ssrc_[announce->ssrc] = room;
  } else if (const auto* withdraw = std::get_if<StreamWithdraw>(&*message)) {
    Room* room = room_of(withdraw->room);
    if (!room || room->parent() != &link) return;
    room->OnWithdraw(withdraw->ssrc);
    rooms_by_ssrc_.erase(withdraw->ssrc);
  } else if (const auto* chat = std::get_if<LinkChat>(&*message)) {
    if (Room* room = room_of(chat->room)) room->OnChat(nullptr, &link, chat->text);
  } else if (const auto* subscription = std::get_if<StreamSubscription>(&*message)) {
    Room* room = room_of(subscription->room);
    if (room && room->HasChild(&link))
      room->OnChildSubscription(&link, *subscription, runtime_.loop().clock().NowUs());
  } else if (const auto* states = std::get_if<StreamStates>(&*message)) {
    Room* room = room_of(states->room);
    if (room && room->parent() == &link) room->OnParentStates(*states, runtime_.loop().clock().NowUs());
  }
}

void MediaPlane::OnWebRtcTransportEnded(transport::WebRtcTransport* transport,
                                        transport::TransportEnd reason) {
  Owner owner = OwnerOf(transport);
  if (owner.link) {
    LOG_WARN("link.ended", {"peer", owner.link->peer_node_id()}, {"end", EndName(owner.link->end())},
             {"reason", transport::ToString(reason)});
    ended_links_.push_back(owner.link);
  } else if (owner.session) {
    LOG_INFO("session.transport_ended", {"session", owner.session->id()},
             {"reason", transport::ToString(reason)});
    ended_sessions_.push_back(owner.session->id());  // destroyed outside the transport's own call
  }
}

void MediaPlane::ApplyCommand(const control::ControlMessage& command, control::CommandResult& result) {
  try {
    if (const auto* serve = std::get_if<control::ServeChild>(&command.body)) {
      ServeChild(*serve);
    } else if (const auto* attach = std::get_if<control::AttachStream>(&command.body)) {
      AttachStream(*attach);
    } else if (const auto* detach = std::get_if<control::DetachStream>(&command.body)) {
      DetachStream(*detach);
    } else {
      throw std::invalid_argument("not a tree command");
    }
    result.ok = true;
    ++commands_applied_;
  } catch (const std::exception& error) {
    result.ok = false;
    result.error = error.what();
    ++commands_failed_;
    LOG_WARN("tree.command_refused", {"error", result.error});
  }
}

Link& MediaPlane::LinkFor(const std::string& peer, Link::End end, const control::LinkCredentials& credentials,
                          const std::string& peer_fingerprint,
                          const std::optional<control::NodeAddress>& peer_address) {
  if (auto it = links_.find(LinkKey{peer, end}); it != links_.end()) return *it->second;
  auto fingerprint = dtls::Fingerprint::Parse(peer_fingerprint);
  if (!fingerprint) throw std::invalid_argument("peer fingerprint '" + peer_fingerprint + "' is not valid");
  if (credentials.parent_ufrag.size() < 4 || credentials.child_ufrag.size() < 4 ||
      credentials.password.size() < 22) {
    throw std::invalid_argument("link credentials too short (ufrag >= 4, password >= 22 characters)");
  }
  transport::WebRtcTransportConfig config;
  const bool child = end == Link::End::kChild;
  config.local_ufrag = child ? credentials.child_ufrag : credentials.parent_ufrag;
  config.remote_ufrag = child ? credentials.parent_ufrag : credentials.child_ufrag;
  config.local_pwd = credentials.password;
  config.remote_pwd = credentials.password;
  config.remote_fingerprint = *fingerprint;
  config.dtls_role = child ? dtls::DtlsRole::kClient : dtls::DtlsRole::kServer;
  config.data_channels = true;
  config.consent_timeout_ms = kLinkConsentTimeoutMs;
  std::optional<net::SocketAddress> address;
  if (child) {
    if (!peer_address) throw std::invalid_argument("attach needs the parent's media address");
    address = net::SocketAddress::Parse(peer_address->ip, peer_address->port);
    if (!address)
      throw std::invalid_argument("parent address '" + peer_address->ip + "' is not an IP address");
    config.ice_controlling = true;
    config.remote_address = address;
  }
  if (by_ufrag_.contains(config.local_ufrag)) throw std::invalid_argument("link ufrag already in use");
  auto transport = std::make_unique<transport::WebRtcTransport>(
      runtime_.media_socket(), *dtls_context_, runtime_.loop().clock(), config, this, &drops_);
  auto link = std::make_unique<Link>(peer, end, std::move(transport));
  Link& ref = *link;
  by_ufrag_[config.local_ufrag] = &ref.transport();
  if (address) by_address_[*address] = &ref.transport();
  owners_[&ref.transport()] = Owner{nullptr, &ref};
  RegisterLinkMetrics(ref);
  links_[LinkKey{peer, end}] = std::move(link);
  LOG_INFO("link.created", {"peer", peer}, {"end", EndName(end)});
  return ref;
}

void MediaPlane::ServeChild(const control::ServeChild& command) {
  if (command.child_node_id.empty() || command.child_node_id == runtime_.settings().node_id) {
    throw std::invalid_argument("serve-child needs another node as the child");
  }
  Link& link = LinkFor(command.child_node_id, Link::End::kParent, command.link, command.child_fingerprint,
                       command.child_address);
  Room& room = RoomFor(command.stream_id);
  room.AddChild(&link);
  link.rooms().insert(command.stream_id);
  LOG_INFO("tree.serving_child", {"stream", command.stream_id}, {"child", command.child_node_id});
}

void MediaPlane::AttachStream(const control::AttachStream& command) {
  if (command.parent_node_id.empty() || command.parent_node_id == runtime_.settings().node_id) {
    throw std::invalid_argument("attach needs another node as the parent");
  }
  if (Room* existing = FindRoom(command.stream_id); existing && existing->publisher()) {
    throw std::invalid_argument("stream '" + command.stream_id + "' has its publisher on this node");
  }
  Link& link = LinkFor(command.parent_node_id, Link::End::kChild, command.link, command.parent_fingerprint,
                       command.parent_address);
  Room& room = RoomFor(command.stream_id);
  link.rooms().insert(command.stream_id);
  if (room.parent() == &link) {
    pending_parents_.erase(command.stream_id);
    return;
  }
  if (Link* waiting = PendingParentOf(command.stream_id); waiting && waiting != &link) {
    pending_parents_.erase(command.stream_id);
    waiting->rooms().erase(command.stream_id);
    CloseLinkIfUnused(*waiting);
  }
  if (room.parent() && room.parent()->connected() && !link.connected()) {
    // Make before break: the old parent feeds the room until the new link is up.
    pending_parents_[command.stream_id] = &link;
    LOG_INFO("tree.attaching", {"stream", command.stream_id}, {"parent", command.parent_node_id},
             {"old_parent", room.parent()->peer_node_id()});
    return;
  }
  SwitchParent(room, link);
}

bool MediaPlane::FeedsStreams(Link& link) {
  for (const auto& name : link.rooms()) {
    Room* room = FindRoom(name);
    if (room && room->parent() == &link && room->has_sources()) return true;
  }
  return false;
}

Link* MediaPlane::PendingParentOf(const std::string& stream) const {
  auto it = pending_parents_.find(stream);
  return it == pending_parents_.end() ? nullptr : it->second;
}

void MediaPlane::SwitchParent(Room& room, Link& link) {
  pending_parents_.erase(room.name());
  Link* old_parent = room.parent();
  if (old_parent && room.has_sources()) {
    room.MoveToParent(&link);  // the same streams: rooms_by_ssrc_ stays as it is
    room.RequestKeyframes(runtime_.loop().clock().NowUs());
  } else {
    std::erase_if(rooms_by_ssrc_, [&room](const auto& entry) { return entry.second == &room; });
    room.SetParent(&link);
  }
  LOG_INFO("tree.attached", {"stream", room.name()}, {"parent", link.peer_node_id()},
           {"old_parent", old_parent ? old_parent->peer_node_id() : std::string()});
  if (old_parent) {
    old_parent->rooms().erase(room.name());
    CloseLinkIfUnused(*old_parent);
  }
}

void MediaPlane::DetachStream(const control::DetachStream& command) {
  Room* room = FindRoom(command.stream_id);
  if (!room) throw std::invalid_argument("no stream '" + command.stream_id + "' on this node");
  Link* link = nullptr;
  if (!command.child_node_id.empty()) {
    auto it = links_.find(LinkKey{command.child_node_id, Link::End::kParent});
    if (it == links_.end() || !room->HasChild(it->second.get())) {
      throw std::invalid_argument("'" + command.child_node_id + "' is not a child for this stream");
    }
    link = it->second.get();
    room->RemoveChild(link);
  } else {
    if (Link* waiting = PendingParentOf(command.stream_id)) {
      pending_parents_.erase(command.stream_id);
      waiting->rooms().erase(command.stream_id);
      CloseLinkIfUnused(*waiting);
    }
    link = room->parent();
    if (!link) throw std::invalid_argument("stream '" + command.stream_id + "' has no parent here");
    std::erase_if(rooms_by_ssrc_, [room](const auto& entry) { return entry.second == room; });
    room->SetParent(nullptr);
  }
  link->rooms().erase(command.stream_id);
  EraseRoomIfEmpty(command.stream_id);
  CloseLinkIfUnused(*link);
}

void MediaPlane::CloseLinkIfUnused(Link& link) {
  if (link.rooms().empty()) DestroyLink(&link, "unused");
}

void MediaPlane::DestroyLink(Link* link, const char* reason) {
  auto it = links_.find(LinkKey{link->peer_node_id(), link->end()});
  if (it == links_.end() || it->second.get() != link) return;
  std::erase(ended_links_, link);
  std::erase_if(pending_parents_, [link](const auto& entry) { return entry.second == link; });
  for (const auto& name : link->rooms()) {
    Room* room = FindRoom(name);
    if (!room) continue;
    if (room->parent() == link) {
      if (Link* waiting = PendingParentOf(name)) {
        // The old parent is gone before the new link came up: the new one takes over now.
        pending_parents_.erase(name);
        if (room->has_sources()) {
          room->MoveToParent(waiting);
          room->RequestKeyframes(runtime_.loop().clock().NowUs());
        } else {
          room->SetParent(waiting);
        }
      } else {
        std::erase_if(rooms_by_ssrc_, [room](const auto& entry) { return entry.second == room; });
        room->SetParent(nullptr);
      }
    }
    room->RemoveChild(link);
  }
  auto names = link->rooms();
  LOG_INFO("link.closed", {"peer", link->peer_node_id()}, {"end", EndName(link->end())}, {"reason", reason});
  Forget(link->transport());
  links_.erase(it);
  for (const auto& name : names) EraseRoomIfEmpty(name);
}

void MediaPlane::DestroyEnded() {
  auto sessions = std::move(ended_sessions_);
  ended_sessions_.clear();
  for (const auto& id : sessions) DestroySession(id, "transport ended");
  // DestroyLink drops every entry of the link it destroys (a DetachStream may close a link
  // whose transport ended first), so what is left here is always alive.
  while (!ended_links_.empty()) {
    Link* link = ended_links_.back();
    ended_links_.pop_back();
    DestroyLink(link, "transport ended");
  }
}

void MediaPlane::OnFastTick() {
  uint64_t now_ms = runtime_.loop().clock().NowMs();
  uint32_t elapsed = last_fast_tick_ms_ ? static_cast<uint32_t>(now_ms - last_fast_tick_ms_) : 10;
  last_fast_tick_ms_ = now_ms;
  // usrsctp's timers follow real time (see SctpLibrary.hpp): feed it what really elapsed.
  sctp::SctpLibrary::HandleTimers(elapsed);
  for (auto& [id, session] : sessions_) session->transport().OnFastTick();
  for (auto& [key, link] : links_) link->transport().OnFastTick();
  const uint64_t now_us = runtime_.loop().clock().NowUs();
  for (auto& [name, room] : rooms_) room->OnFastTick(now_us);
  for (auto& [key, link] : links_) {
    if (link->end() != Link::End::kChild) continue;
    if (!FeedsStreams(*link)) {
      link->ResetParentWatch();  // e.g. the publisher left: the parent has nothing to send
      continue;
    }
    if (!link->TakeParentSilence(now_us, parent_silence_us_)) continue;
    const auto silent_ms = static_cast<uint32_t>((now_us - link->last_heard_us()) / 1000);
    ++parent_silences_;
    LOG_WARN("link.parent_silent", {"peer", link->peer_node_id()}, {"silent_ms", silent_ms});
    runtime_.ReportToControl(control::ParentLost{link->peer_node_id(), silent_ms});
  }
  DestroyEnded();
}

void MediaPlane::OnSlowTick() {
  uint64_t now_us = runtime_.loop().clock().NowUs();
  for (auto& [id, session] : sessions_) session->transport().OnSlowTick(now_us / 1000);
  for (auto& [key, link] : links_) link->transport().OnSlowTick(now_us / 1000);
  for (auto& [name, room] : rooms_) room->OnTick(now_us);
  DestroyEnded();
  ReturnFreedMemory(now_us);
}

// Sessions free their memory, but glibc keeps freed pages in its arenas (a burst of DTLS
// handshakes leaves the heap at its peak): once sessions stopped ending for a second, give
// the free pages back, so that a node's RSS falls back towards its idle size after a crowd
// leaves. malloc_trim walks the heap (milliseconds at 10,000 sessions), hence not per session.
void MediaPlane::ReturnFreedMemory(uint64_t now_us) {
  if (!heap_trim_pending_ || now_us - last_session_end_us_ < 1'000'000) return;
  heap_trim_pending_ = false;
#ifdef __GLIBC__
  malloc_trim(0);
  ++heap_trims_;
#endif
}

}  // namespace cascade::media
