#pragma once
// One live session on this node, whatever the node's role: a thin fan-out from its upstream
// streams to its subscribers. Streams come from one upstream: the local publisher (this node
// is the stream's origin: each publisher stream gets a mesh-wide SSRC here) or the link to
// the parent node. They go to every subscriber: local viewers (ViewerSubscriber) and child
// links (LinkSubscriber).
//
// Each hop repairs its own link: a packet cache per stream answers NACKs from viewers and
// children, this node NACKs its upstream once for what it lost however many asked, and
// keyframe requests from any number of receivers become at most one upstream PLI per
// stream per interval. An edge's room and a relay's room are the same class: a relay's
// rooms simply have no clients.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/rtcp/RtcpPacket.hpp"
#include "core/rtcp/TransportFeedbackGenerator.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "media/ClientSession.hpp"
#include "media/Link.hpp"
#include "media/LinkMessage.hpp"
#include "media/LinkSubscriber.hpp"
#include "media/Subscriber.hpp"
#include "media/UpstreamStream.hpp"
#include "media/ViewerSubscriber.hpp"

namespace cascade::media {

class Room final : public Upstream {
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
  static constexpr size_t kMaxStreams = 16;

  Room(std::string name, Options options, RoomCounters& counters, SsrcAllocator allocate_ssrc);

  const std::string& name() const { return name_; }
  ClientSession* publisher() const { return publisher_; }
  Link* parent() const { return parent_; }
  size_t viewer_count() const { return viewers_.size(); }
  size_t child_count() const { return children_.size(); }
  const std::vector<std::unique_ptr<LinkSubscriber>>& children() const { return children_; }
  const std::vector<std::unique_ptr<ViewerSubscriber>>& viewers() const { return viewers_; }
  bool HasChild(const Link* link) const { return FindChild(link) != nullptr; }
  bool empty() const {
    return publisher_ == nullptr && viewers_.empty() && parent_ == nullptr && children_.empty();
  }
  bool has_sources() const { return !streams_.empty(); }
  // The viewer subscriber of a local session (null: not a viewer of this room).
  ViewerSubscriber* FindViewer(const ClientSession* session);

  // Upstream.
  void SetPublisher(ClientSession* session);
  void SetParent(Link* link);  // nullptr: no longer fed from the tree
  // Another parent feeds the same mesh-wide streams (same SSRCs and sequence numbers):
  // streams, caches and every viewer's position carry over, and what was lost while
  // switching is NACKed from the new parent (whose cache has it) instead of waiting for a
  // keyframe.
  void MoveToParent(Link* link) {
    parent_ = link;
    subscription_dirty_ = true;  // the new parent has not heard what this node pauses
  }
  // Asks upstream for a keyframe of every video stream, again each upstream RTT until one
  // arrives (after a parent switch, what was lost meanwhile cannot be repaired: viewers
  // would otherwise wait for their own decoders to give up and ask).
  void RequestKeyframes(uint64_t now_us);
  // Downstream.
  void AddViewer(ClientSession* session) { AddViewer(session, session->sink()); }
  // The viewer's packets go to `sink` (tests record them; the session's sink sends them).
  void AddViewer(ClientSession* session, PacketSink& sink);
  void OnViewerConnected(ClientSession* session, uint64_t now_us);
  void AddChild(Link* link);
  void RemoveChild(Link* link);
  // A client left (publisher or viewer).
  void Remove(ClientSession* session);

  void OnPublisherRtp(rtp::RtpPacket& packet, uint64_t now_us);
  void OnParentRtp(rtp::RtpPacket& packet, uint64_t now_us);
  // False when the room already relays its maximum of streams (the announce is ignored).
  bool OnAnnounce(const StreamAnnounce& announce);
  void OnWithdraw(uint32_t ssrc);
  // RTCP, one packet at a time (the caller parses each compound once and routes by SSRC).
  void OnParentRtcp(const rtcp::RtcpPacket& packet, uint64_t now_us);
  void OnChildRtcp(Link* child, const rtcp::RtcpPacket& packet, uint64_t now_us);
  void OnViewerRtcp(ClientSession* viewer, std::span<const uint8_t> compound, uint64_t now_us);
  // Layer-aware trees. A child's subscription: the video streams it does not want now.
  void OnChildSubscription(Link* child, const StreamSubscription& subscription, uint64_t now_us);
  // The parent's word on streams this node paused (live, bitrate).
  void OnParentStates(const StreamStates& states, uint64_t now_us);
  // Asks the parent to stop (or resume) the video streams nobody here needs (or needs again).
  void UpdateSubscription(uint64_t now_us);
  // A chat message from a local client (`from_session`) or from a link (`from_link`): to
  // every other local client and every other link of the room.
  void OnChat(ClientSession* from_session, Link* from_link, std::string_view text);
  // Twice a second: bitrates, layer choice, feedback upstream, sender reports downstream, retries.
  void OnTick(uint64_t now_us);
  // Every 10 ms: paces the probes viewers send.
  void OnFastTick(uint64_t now_us);

  // Upstream (what subscribers may ask).
  const StreamList& streams() const override { return streams_; }
  UpstreamStream* FindStream(uint32_t ssrc) override;
  UpstreamStream* FindMeshStream(uint32_t mesh_ssrc) override;
  void RequestKeyframe(UpstreamStream& stream, uint64_t now_us) override;
  const std::array<rtp::ExtensionUri, 256>& upstream_extensions() const override {
    return upstream_extensions_;
  }
  RoomCounters& counters() override { return counters_; }

 private:
  LinkSubscriber* FindChild(const Link* link) const;
  // True when some viewer or child here gets (or is about to get) `stream`.
  bool NeededHere(const UpstreamStream& stream) const;
  UpstreamStream* LearnPublisherStream(const rtp::RtpPacket& packet);
  void ClearStreams();
  void SetUpstreamExtensions(const std::array<rtp::ExtensionUri, 256>& extensions);
  void OnUpstreamRtp(UpstreamStream& stream, rtp::RtpPacket& packet, uint64_t now_us);
  PacketSink* UpstreamSink();
  uint64_t UpstreamRttUs() const;
  void SendKeyframeRequestIfDue(UpstreamStream& stream, uint64_t now_us);
  void SendUpstreamNacks(UpstreamStream& stream, uint64_t now_us);
  void SendUpstreamFeedback(uint64_t now_us);
  // Transport-cc towards the publisher, so the browser's own send-side estimator sees this
  // edge (REMB stays as the cap and for publishers without transport-cc).
  void OnPublisherTransportSequence(const rtp::RtpPacket& packet, uint64_t now_us);

  std::string name_;
  Options options_;
  StreamOptions stream_options_;
  RoomCounters& counters_;  // owned by the node
  SsrcAllocator allocate_ssrc_;
  ClientSession* publisher_ = nullptr;
  Link* parent_ = nullptr;
  StreamList streams_;
  std::vector<std::unique_ptr<ViewerSubscriber>> viewers_;
  std::vector<std::unique_ptr<LinkSubscriber>> children_;
  std::vector<Subscriber*> subscribers_;  // every viewer and child: the fan-out
  std::vector<ViewerSubscriber*> probing_;
  bool subscription_dirty_ = false;  // viewers with a probe cluster in flight
  std::array<rtp::ExtensionUri, 256> upstream_extensions_{};
  std::unique_ptr<rtcp::TransportFeedbackGenerator>
      publisher_feedback_;  // while the publisher has transport-cc
  uint8_t publisher_transport_cc_id_ = 0;
  uint64_t last_tick_us_ = 0;
};

}  // namespace cascade::media
