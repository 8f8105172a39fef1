#pragma once
// A room's downstream: whoever receives the room's streams from this node. Two kinds exist:
// a local viewer (ViewerSubscriber: per-viewer rewrite, layer choice, bandwidth estimate,
// NACK answers, sender reports) and a child link (LinkSubscriber: every stream it needs
// under its mesh SSRC, otherwise unchanged). The room is a thin fan-out between its
// upstream streams and these; what a subscriber may ask of the upstream side is `Upstream`.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/rtcp/RtcpPacket.hpp"
#include "core/rtp/HeaderExtensions.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "media/UpstreamStream.hpp"

namespace cascade::media {

struct RoomCounters {
  uint64_t packets_forwarded = 0;  // to viewers
  uint64_t bytes_forwarded = 0;
  uint64_t packets_not_forwarded = 0;      // viewer not ready, codec not negotiated, queue full
  uint64_t packets_dropped_for_layer = 0;  // temporal layers above what a viewer gets
  uint64_t link_packets_forwarded = 0;
  uint64_t link_bytes_forwarded = 0;
  uint64_t keyframe_requests_received = 0;
  uint64_t keyframe_requests_sent = 0;
  // Instant start: viewers with no picture yet (a join, or their layer went away) started
  // from the cached keyframe at once, or left waiting for the publisher's next keyframe.
  uint64_t video_starts_from_cache = 0;
  uint64_t video_starts_waiting_for_keyframe = 0;
  uint64_t chat_messages = 0;
  // Per-viewer layer choice: switches by reason (LayerSwitchReason), probes sent.
  std::array<uint64_t, 8> layer_switches{};
  uint64_t probes_sent = 0;
  uint64_t layers_paused = 0;   // layer-aware trees: video streams this node asked its parent to stop
  uint64_t layers_resumed = 0;  // ... and to send again
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

using StreamList = std::vector<std::unique_ptr<UpstreamStream>>;

class Upstream {
 public:
  virtual const StreamList& streams() const = 0;
  virtual UpstreamStream* FindStream(uint32_t ssrc) = 0;  // by the SSRC it arrives with
  virtual UpstreamStream* FindMeshStream(uint32_t mesh_ssrc) = 0;
  // Coalesced: however many subscribers ask, upstream hears at most one request per interval.
  virtual void RequestKeyframe(UpstreamStream& stream, uint64_t now_us) = 0;
  // What the upstream's header extension ids mean (the publisher's negotiation, or the
  // origin's as announced).
  virtual const std::array<rtp::ExtensionUri, 256>& upstream_extensions() const = 0;
  virtual RoomCounters& counters() = 0;

 protected:
  ~Upstream() = default;
};

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // A stream appeared upstream (or its description changed), or went away.
  virtual void OnStreamAdded(UpstreamStream& /*stream*/) {}
  virtual void OnStreamRemoved(UpstreamStream& /*stream*/) {}
  // The upstream changed (a new publisher or parent): every stream before it is gone.
  virtual void OnUpstreamChanged() {}
  // The upstream's header extension ids mean something else now.
  virtual void OnExtensionsChanged() {}
  // One packet of `stream`, already counted and cached by it.
  virtual void OnPacket(UpstreamStream& stream, const rtp::RtpPacket& packet, const StreamArrival& arrival,
                        uint64_t now_us) = 0;
  // One RTCP packet from this subscriber's receiver, parsed out of its compound once.
  virtual void OnRtcp(const rtcp::RtcpPacket& packet, uint64_t now_us) = 0;
  // Twice a second: layer choice, sender reports, estimates.
  virtual void OnTick(uint64_t now_us) = 0;
};

}  // namespace cascade::media
