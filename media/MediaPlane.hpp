#pragma once
// The media side every node shares, edge or relay: one UDP port carrying every client
// session and every link to another node (demultiplexed by ICE ufrag, then by 5-tuple), the
// rooms they feed, and the tree commands (serve child, attach to parent, detach) that
// control sends. The edge adds WHIP/WHEP sessions on top; a relay is this alone.
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "control/client/ControlMessages.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/ice/StunError.hpp"
#include "core/net/Timer.hpp"
#include "core/sctp/SctpLibrary.hpp"
#include "core/transport/WebRtcTransport.hpp"
#include "media/ClientSession.hpp"
#include "media/Link.hpp"
#include "media/NodeRuntime.hpp"
#include "media/Room.hpp"

namespace cascade::media {

// Room options from configuration (`media.keyframe_interval_ms`, `edge.publisher_max_bitrate`).
Room::Options RoomOptionsFromConfig(const base::Config& config);

class MediaPlane : public net::UdpSocket::Listener, public transport::WebRtcTransport::Listener {
 public:
  // A child link whose parent sends nothing for `parent_silence_ms` after carrying media
  // is reported to control (ParentLost), which moves the child elsewhere.
  static constexpr uint64_t kDefaultParentSilenceMs = 400;
  MediaPlane(NodeRuntime& runtime, Room::Options room_options,
             uint64_t parent_silence_ms = kDefaultParentSilenceMs);
  ~MediaPlane() override;
  MediaPlane(const MediaPlane&) = delete;
  MediaPlane& operator=(const MediaPlane&) = delete;

  dtls::DtlsContext& dtls_context() { return *dtls_context_; }
  base::EnumCounters<transport::TransportDrop>& transport_drops() { return drops_; }
  const dtls::Fingerprint& fingerprint() const { return runtime_.certificate().fingerprint(); }

  // Client sessions (the edge's WHIP/WHEP resources). The session must have its transport.
  void AddSession(std::unique_ptr<ClientSession> session);
  ClientSession* FindSession(const std::string& id);
  void DestroySession(const std::string& id, const char* reason);
  size_t session_count(SessionKind kind) const;
  // After transport.RestartIce(): STUN is routed by the new local ufrag, no longer by the old.
  void RekeyUfrag(const std::string& old_ufrag, transport::WebRtcTransport& transport);
  Room* FindRoom(const std::string& name);
  // A mesh-wide SSRC from this node's range.
  uint32_t AllocateSsrc();

  // Tree commands from control; errors are reported in `result`.
  void ApplyCommand(const control::ControlMessage& command, control::CommandResult& result);
  size_t link_count() const { return links_.size(); }
  // Every room with its origin, viewers and parent, as heartbeats report them to control.
  void ReportRooms(std::vector<control::RoomReport>& out) const;
  const RoomCounters& counters() const { return counters_; }
  // Rooms with their streams (paused upstream or not) and what each child link got per layer.
  nlohmann::json DescribeRooms() const;

  // net::UdpSocket::Listener
  void OnUdpSocketPacket(net::UdpSocket* socket, std::span<uint8_t> data,
                         const net::SocketAddress& from) override;

  // transport::WebRtcTransport::Listener
  void OnWebRtcTransportAddressSelected(transport::WebRtcTransport* transport,
                                        const net::SocketAddress& address) override;
  void OnWebRtcTransportConnected(transport::WebRtcTransport* transport) override;
  void OnWebRtcTransportRtp(transport::WebRtcTransport* transport, rtp::RtpPacket& packet) override;
  void OnWebRtcTransportRtcp(transport::WebRtcTransport* transport,
                             std::span<const uint8_t> compound) override;
  void OnWebRtcTransportDataChannelOpened(transport::WebRtcTransport* transport,
                                          const sctp::DataChannel& channel) override;
  void OnWebRtcTransportDataChannelMessage(transport::WebRtcTransport* transport, uint16_t stream_id,
                                           sctp::DataChannelMessageType type,
                                           std::span<const uint8_t> data) override;
  void OnWebRtcTransportEnded(transport::WebRtcTransport* transport, transport::TransportEnd reason) override;

 private:
  // What a transport belongs to: a client session or a link (exactly one is set).
  struct Owner {
    ClientSession* session = nullptr;
    Link* link = nullptr;
  };
  using LinkKey = std::pair<std::string, Link::End>;  // peer node, our end

  Room& RoomFor(const std::string& name);
  void EraseRoomIfEmpty(const std::string& name);
  Owner OwnerOf(transport::WebRtcTransport* transport) const;
  void Forget(transport::WebRtcTransport& transport);
  void ServeChild(const control::ServeChild& command);
  void AttachStream(const control::AttachStream& command);
  void DetachStream(const control::DetachStream& command);
  // True when some room takes announced streams from `link` (this node is its child).
  bool FeedsStreams(Link& link);
  // The room's next parent while its link comes up (make before break); null: none.
  Link* PendingParentOf(const std::string& stream) const;
  // Feeds `room` from `link` from now on and lets the old parent's link go if unused.
  void SwitchParent(Room& room, Link& link);
  Link& LinkFor(const std::string& peer, Link::End end, const control::LinkCredentials& credentials,
                const std::string& peer_fingerprint, const std::optional<control::NodeAddress>& peer_address);
  void CloseLinkIfUnused(Link& link);
  void DestroyLink(Link* link, const char* reason);
  void ReturnFreedMemory(uint64_t now_us);
  void OnLayerMessage(ClientSession& session, uint16_t stream_id, std::span<const uint8_t> data);
  void OnLinkMessage(Link& link, std::span<const uint8_t> data);
  void OnLinkRtcp(Link& link, std::span<const uint8_t> compound);
  Room* RoomOfLinkRtcp(Link& link, const rtcp::RtcpPacket& packet);
  void DestroyEnded();
  void OnFastTick();
  void OnSlowTick();
  void RegisterMetrics();
  void RegisterLinkMetrics(Link& link);
  double ViewerSum(const std::function<uint64_t(const ViewerSubscriber&)>& value) const;

  NodeRuntime& runtime_;
  Room::Options room_options_;
  std::unique_ptr<dtls::DtlsContext> dtls_context_;
  sctp::SctpLibrary::Ref sctp_library_;

  std::unordered_map<std::string, std::unique_ptr<ClientSession>> sessions_;  // by resource id
  std::map<LinkKey, std::unique_ptr<Link>> links_;
  std::map<std::string, std::unique_ptr<Room>> rooms_;
  std::unordered_map<std::string, transport::WebRtcTransport*> by_ufrag_;
  std::unordered_map<net::SocketAddress, transport::WebRtcTransport*, net::SocketAddressHash> by_address_;
  std::unordered_map<const transport::WebRtcTransport*, Owner> owners_;
  // Mesh-wide SSRCs are unique across the tree, so one map finds the room of a link's packet.
  std::unordered_map<uint32_t, Room*> rooms_by_ssrc_;
  // stream -> the link that becomes its parent once connected (make before break).
  std::map<std::string, Link*> pending_parents_;
  std::vector<std::string> ended_sessions_;
  std::vector<Link*> ended_links_;

  RoomCounters counters_;
  base::EnumCounters<transport::TransportDrop> drops_;
  base::EnumCounters<ice::StunError> stun_errors_;
  base::EnumCounters<LinkMessageError> link_message_errors_;
  uint64_t unmatched_packets_ = 0;
  uint64_t last_session_end_us_ = 0;
  bool heap_trim_pending_ = false;
  uint64_t heap_trims_ = 0;
  uint64_t layer_messages_ = 0;  // preferences viewers sent on their "layer" data channel
  uint64_t layer_messages_invalid_ = 0;
  uint64_t commands_applied_ = 0;
  uint64_t commands_failed_ = 0;
  uint64_t parent_silences_ = 0;
  uint64_t parent_silence_us_;
  uint32_t ssrc_counter_ = 0;
  uint32_t ssrc_fallback_base_ = 0;

  std::unique_ptr<net::Timer> fast_timer_;
  std::unique_ptr<net::Timer> slow_timer_;
  uint64_t last_fast_tick_ms_ = 0;
};

}  // namespace cascade::media
