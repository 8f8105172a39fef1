#pragma once
// One live session on this node, whatever the node's role. Its streams come from one
// upstream: the local publisher (this node is the stream's origin: each publisher stream
// gets a mesh-wide SSRC here) or the link to the parent node. They go to every downstream:
// local viewers (one copy, header rewrite and encryption each, simulcast layer chosen per
// viewer) and child links (every layer, under its mesh-wide SSRC, otherwise unchanged).
//
// Each hop repairs its own link: a packet cache per stream answers NACKs from viewers and
// children, this node NACKs its upstream once for what it lost however many asked, and
// keyframe requests from any number of receivers become at most one upstream PLI per
// stream per interval. An edge's room and a relay's room are the same class: a relay's
// rooms simply have no clients.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/rtcp/ReceiverStats.hpp"
#include "core/rtcp/RtcpPacket.hpp"
#include "core/rtp/KeyframeRequestCoalescer.hpp"
#include "core/rtp/NackGenerator.hpp"
#include "core/rtp/NackResponder.hpp"
#include "core/rtp/PacketCache.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "media/ClientSession.hpp"
#include "media/Link.hpp"
#include "media/LinkMessage.hpp"

namespace cascade::media {

struct RoomCounters {
  uint64_t packets_forwarded = 0;  // to viewers
  uint64_t bytes_forwarded = 0;
  uint64_t packets_not_forwarded = 0;  // viewer not ready, codec not negotiated, queue full
  uint64_t link_packets_forwarded = 0;
  uint64_t link_bytes_forwarded = 0;
  uint64_t keyframe_requests_received = 0;
  uint64_t keyframe_requests_sent = 0;
  uint64_t chat_messages = 0;
  // Loss repair on the upstream -> this node -> viewer/child path.
  uint64_t nacks_received = 0;          // NACK messages from viewers and children
  uint64_t nack_packets_resent = 0;     // answered from this node's cache
  uint64_t nack_not_in_cache = 0;       // asked for, but not cached (too old, never received)
  uint64_t nack_already_requested = 0;  // asked for a packet this node is itself NACKing upstream
  uint64_t nack_suppressed = 0;         // resent to that receiver less than one RTT ago
  uint64_t nacks_sent = 0;              // NACK messages upstream
  uint64_t nack_seqs_requested = 0;     // sequence numbers in them (retries included)
  uint64_t nack_recovered = 0;          // requested packets that arrived
  uint64_t nack_given_up = 0;           // lost packets this node stopped asking for
};

class Room {
 public:
  struct Options {
    uint64_t keyframe_request_interval_us = 300'000;
    // The publisher link's RTT for NACK retries (the edge sends publishers no sender
    // reports, so it does not measure it); a parent link's RTT is measured.
    uint64_t publisher_rtt_us = 50'000;
    rtp::PacketCache::Options packet_cache;
    rtp::NackGenerator::Options nack_generator;
    uint64_t publisher_bitrate_cap_bps = 5'000'000;
  };
  // Hands out this node's mesh-wide SSRCs (from the range control gave it).
  using SsrcAllocator = std::function<uint32_t()>;

  Room(std::string name, Options options, RoomCounters& counters, SsrcAllocator allocate_ssrc);

  const std::string& name() const { return name_; }
  ClientSession* publisher() const { return publisher_; }
  Link* parent() const { return parent_; }
  const std::vector<ClientSession*>& viewers() const { return viewers_; }
  size_t child_count() const { return children_.size(); }
  bool HasChild(const Link* link) const;
  bool empty() const {
    return publisher_ == nullptr && viewers_.empty() && parent_ == nullptr && children_.empty();
  }

  // Upstream.
  void SetPublisher(ClientSession* session);
  void SetParent(Link* link);  // nullptr: no longer fed from the tree
  // Another parent feeds the same mesh-wide streams (same SSRCs and sequence numbers):
  // sources, caches and every viewer's position carry over, and what was lost while
  // switching is NACKed from the new parent (whose cache has it) instead of waiting for a
  // keyframe.
  void MoveToParent(Link* link) { parent_ = link; }
  // Asks upstream for a keyframe of every video stream, again each upstream RTT until one
  // arrives (after a parent switch, what was lost meanwhile cannot be repaired: viewers
  // would otherwise wait for their own decoders to give up and ask).
  void RequestKeyframes(uint64_t now_us);
  bool has_sources() const { return !sources_.empty(); }
  // Downstream.
  void AddViewer(ClientSession* session);
  // A viewer's transport is up: pick its layer and ask for a keyframe so it starts at once.
  void OnViewerConnected(ClientSession* session, uint64_t now_us);
  void AddChild(Link* link);
  void RemoveChild(Link* link);
  // A client left (publisher or viewer).
  void Remove(ClientSession* session);

  void OnPublisherRtp(rtp::RtpPacket& packet, uint64_t now_us);
  void OnParentRtp(rtp::RtpPacket& packet, uint64_t now_us);
  void OnParentRtcp(std::span<const uint8_t> compound, uint64_t now_us);
  // False when the room already relays its maximum of streams (the announce is ignored).
  bool OnAnnounce(const StreamAnnounce& announce);
  void OnWithdraw(uint32_t ssrc);
  void OnViewerRtcp(ClientSession* viewer, std::span<const uint8_t> compound, uint64_t now_us);
  void OnChildRtcp(Link* child, std::span<const uint8_t> compound, uint64_t now_us);
  // A chat message from a local client (`from_session`) or from a link (`from_link`): to
  // every other local client and every other link of the room.
  void OnChat(ClientSession* from_session, Link* from_link, std::string_view text);
  // Twice a second: layer choice, feedback upstream, sender reports downstream, retries.
  void OnTick(uint64_t now_us);

 private:
  struct Source {
    explicit Source(const Options& options)
        : cache(options.packet_cache),
          nacks(options.nack_generator),
          keyframes(options.keyframe_request_interval_us) {}
    uint32_t ssrc = 0;       // as it arrives from upstream (the publisher's, or mesh-wide)
    uint32_t mesh_ssrc = 0;  // as it travels on links
    TrackKind kind = TrackKind::kVideo;
    codecs::CodecKind codec = codecs::CodecKind::kVp8;
    uint32_t clock_rate = 90000;
    std::string layer;  // simulcast RID at the origin, carried in announces
    uint64_t bytes_in_period = 0;
    uint64_t bitrate_bps = 0;
    uint64_t last_packet_us = 0;
    uint32_t last_rtp_timestamp = 0;
    uint32_t packets_received = 0;
    uint32_t octets_received = 0;
    uint32_t last_sr_mid32 = 0;  // from the parent's sender report, echoed in our RR
    uint64_t last_sr_arrival_us = 0;
    rtcp::ReceiverStats stats;
    rtp::PacketCache cache;                   // plaintext as received, for NACKs from below
    rtp::NackGenerator nacks;                 // what the upstream link lost
    rtp::KeyframeRequestCoalescer keyframes;  // PLI upstream, at most one per interval
    bool keyframe_wanted = false;             // asked again every tick until one arrives
    uint64_t missing_counted = 0;             // nacks.counters() already added to counters
    uint64_t given_up_counted = 0;
  };
  struct Child {
    Link* link = nullptr;
    // One NACK responder per stream, made at the child's first NACK for it.
    std::vector<std::pair<uint32_t, std::unique_ptr<rtp::NackResponder>>> responders;
    rtp::NackResponder& ResponderFor(uint32_t mesh_ssrc);
  };

  Source* FindSource(uint32_t ssrc);
  Source* FindMeshSource(uint32_t mesh_ssrc);
  Source* LearnPublisherSource(const rtp::RtpPacket& packet);
  void ClearSources();
  StreamAnnounce AnnounceOf(const Source& source) const;
  void OnUpstreamRtp(Source& source, rtp::RtpPacket& packet, uint64_t now_us);
  uint32_t BestVideoSource(uint64_t now_us) const;
  transport::WebRtcTransport* UpstreamTransport();
  uint64_t UpstreamRttUs() const;
  void RequestKeyframe(Source& source, uint64_t now_us);
  void SendKeyframeRequestIfDue(Source& source, uint64_t now_us);
  void SendUpstreamNacks(Source& source, uint64_t now_us);
  void OnViewerNack(ClientSession& viewer, const rtcp::RtcpPacket& packet, uint64_t now_us);
  void OnViewerReceiverReport(ClientSession& viewer, const rtcp::RtcpPacket& packet);
  void OnChildNack(Child& child, const rtcp::RtcpPacket& packet, uint64_t now_us);
  void OnChildReceiverReport(Child& child, const rtcp::RtcpPacket& packet);
  void ResendTo(ClientSession& viewer, ViewerTrack& track, std::span<const uint8_t> cached,
                uint8_t payload_type);
  void ForwardTo(ClientSession& viewer, ViewerTrack& track, const rtp::RtpPacket& packet,
                 uint8_t payload_type, uint64_t now_us);
  bool SendToLink(Link& link, std::span<const uint8_t> packet, uint32_t mesh_ssrc);
  void MapExtensions(ClientSession& viewer);
  void SendUpstreamFeedback(uint64_t now_us);
  void SendSenderReports(uint64_t now_us);
  void SendChildSenderReports(uint64_t now_us);

  std::string name_;
  Options options_;
  RoomCounters& counters_;  // owned by the node
  SsrcAllocator allocate_ssrc_;
  ClientSession* publisher_ = nullptr;
  Link* parent_ = nullptr;
  std::vector<ClientSession*> viewers_;
  std::vector<Child> children_;
  std::vector<Source> sources_;
  // What the upstream's header extension ids mean (the publisher's negotiation, or the
  // origin's as announced): viewers' ids are mapped from these.
  std::array<rtp::ExtensionUri, 256> upstream_extensions_{};
  uint64_t last_tick_us_ = 0;
};

}  // namespace cascade::media
