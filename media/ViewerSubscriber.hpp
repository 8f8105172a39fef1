#pragma once
// A local viewer as a room's subscriber. Per track it keeps one continuous SSRC, sequence
// and timestamp space (RtpStreamRewriter) whatever publisher layer it is fed from, answers
// its NACKs from the upstream stream's cache (mapping its numbers back to the source's),
// sends it sender reports, and chooses which video layer it gets: a switch waits for that
// layer's next keyframe, so the picture never breaks. A viewer with no picture yet (a join,
// or its layer went away) starts at once when the stream's cache holds its newest keyframe
// and every packet since: those are replayed into its stream as a burst (instant start).
//
// Which layer is its bandwidth's: every packet it is sent carries this viewer's own
// transport-wide sequence number (in the 2-byte transport-cc slot the publisher's packets
// already have), its transport-cc feedback (or REMB) feeds a send-side estimator, and the
// layer selector picks the simulcast layer and temporal layers that fit, with hysteresis.
// Up-switches are proven first by probes: retransmissions of recent packets as RTX.
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>

#include "core/bwe/SendSideBandwidthEstimator.hpp"
#include "core/rtp/NackResponder.hpp"
#include "core/rtp/RtpStreamRewriter.hpp"
#include "media/ClientSession.hpp"
#include "media/LayerSelector.hpp"
#include "media/PacketSink.hpp"
#include "media/PictureIdRewriter.hpp"
#include "media/Subscriber.hpp"
#include "media/TemporalLayerFilter.hpp"

namespace cascade::media {

struct ViewerTrack {
  ViewerTrack(uint32_t ssrc, uint32_t clock_rate)
      : ssrc(ssrc), clock_rate(clock_rate), rewriter(ssrc, clock_rate) {}
  uint32_t ssrc;
  uint32_t clock_rate;
  rtp::RtpStreamRewriter rewriter;
  uint32_t packets_sent = 0;
  uint32_t octets_sent = 0;
  uint64_t last_sent_us = 0;
  uint32_t source_ssrc = 0;           // the upstream stream forwarded now (0: none yet)
  uint32_t pending_source_ssrc = 0;   // a layer we switch to at its next keyframe
  rtp::NackResponder nack_responder;  // keyed by this track's output sequence numbers
};

class ViewerSubscriber final : public Subscriber {
 public:
  ViewerSubscriber(ClientSession& session, PacketSink& sink, Upstream& upstream);

  ClientSession& session() { return session_; }
  const ViewerTrack& video() const { return video_; }
  const ViewerTrack& audio() const { return audio_; }
  uint64_t rtt_us() const { return rtt_us_; }
  const bwe::SendSideBandwidthEstimator& estimator() const { return bwe_; }
  const LayerSelector& selector() const { return selector_; }
  const TemporalLayerFilter& temporal_filter() const { return temporal_filter_; }
  // Whether the estimate drives layer choice (transport-cc feedback or REMB seen).
  bool has_estimate() const { return estimate_seen_; }
  // What the viewer asked for (thumbnail vs main view); applies at the next tick.
  void SetPreference(const LayerPreference& preference) { selector_.SetPreference(preference); }
  uint64_t probes_sent() const { return probes_sent_; }
  // A probe cluster is being sent: the room paces it from its fast tick.
  bool probing() const { return probe_.has_value(); }
  void ContinueProbe(uint64_t now_us);
  // The estimate, the layer it chose and why, what was sent (the WHEP resource's stats).
  nlohmann::json StatsJson(uint64_t now_us) const;
  uint64_t rtx_sent() const { return rtx_sent_; }
  // The transport is up: pick a layer and start it (from the cache, or at its next keyframe).
  void OnConnected(uint64_t now_us);
  // Whether the video started from the cached keyframe (instant start).
  bool started_from_cache() const { return started_from_cache_; }

  void OnStreamRemoved(UpstreamStream& stream) override;
  void OnUpstreamChanged() override;
  void OnExtensionsChanged() override { MapExtensions(); }
  void OnPacket(UpstreamStream& stream, const rtp::RtpPacket& packet, const StreamArrival& arrival,
                uint64_t now_us) override;
  void OnRtcp(const rtcp::RtcpPacket& packet, uint64_t now_us) override;
  void OnTick(uint64_t now_us) override;

 private:
  ViewerTrack& track(TrackKind kind) { return kind == TrackKind::kAudio ? audio_ : video_; }
  ViewerTrack* TrackBySsrc(uint32_t ssrc);
  // The video stream this viewer should get now (0: none live).
  uint32_t ChooseVideoSource(uint64_t now_us) const;
  // The video has no picture: start `stream` from its cached keyframe at once, or else at its
  // next keyframe (asked for).
  void StartVideo(UpstreamStream& stream, uint64_t now_us);
  // Replays `keyframe` and every packet after it from the cache, then live packets follow in
  // the same rewriter segment.
  void ReplayFromCache(UpstreamStream& stream, const UpstreamStream::CachedKeyframe& keyframe,
                       uint64_t now_us);
  void MapExtensions();
  // One packet of `stream` that arrived from upstream at `arrival_us` (earlier than `now_us`
  // for a replayed one: its RTP time maps by when it arrived).
  void Deliver(UpstreamStream& stream, const rtp::RtpPacket& packet, const StreamArrival& arrival,
               uint64_t now_us, uint64_t arrival_us);
  void Forward(ViewerTrack& track, const rtp::RtpPacket& packet, const StreamArrival& arrival,
               uint8_t payload_type, uint64_t now_us, uint64_t arrival_us);
  // Stamps this viewer's transport-wide sequence number and tells the estimator.
  void Stamp(rtp::RtpPacket& packet, uint64_t now_us, bool probe);
  // A packet already sent to this viewer, sent again (as RTX where negotiated).
  bool Resend(ViewerTrack& track, std::span<const uint8_t> cached, uint8_t payload_type, uint64_t now_us,
              bool probe);
  void RewritePictureId(rtp::RtpPacket& packet, const codecs::PayloadInfo& info, bool new_source);
  void RewriteResentPictureId(rtp::RtpPacket& packet, uint8_t payload_type);
  // One padding-only RTX packet (RFC 4588 allows them; receivers drop them after counting
  // them for transport-cc), so probes do not look like retransmissions to the viewer.
  bool SendPadding(uint64_t now_us);
  void ChooseLayer(uint64_t now_us);
  void OnNack(const rtcp::RtcpPacket& packet, uint64_t now_us);
  void OnReceiverReport(const rtcp::RtcpPacket& packet, uint64_t now_us);
  void OnKeyframeRequest(uint64_t now_us);
  void OnTransportFeedback(const rtcp::RtcpPacket& packet, uint64_t now_us);
  void SendSenderReports(uint64_t now_us);

  ClientSession& session_;
  PacketSink& sink_;
  Upstream& upstream_;
  RoomCounters& counters_;
  ViewerTrack audio_;
  ViewerTrack video_;
  // The upstream's header extension ids mapped to this viewer's (0: drop).
  std::array<uint8_t, 256> extension_map_{};
  uint64_t rtt_us_ = 0;  // from the viewer's receiver reports (0: unknown)

  bwe::SendSideBandwidthEstimator bwe_;
  bool estimate_seen_ = false;
  LayerSelector selector_;
  TemporalLayerFilter temporal_filter_;
  PictureIdRewriter pictures_;
  bool new_segment_ = false;  // the next forwarded video packet starts a new source
  bool started_from_cache_ = false;
  uint8_t transport_cc_id_ = 0;  // the viewer's id for the transport-wide-cc extension (0: none)
  uint16_t transport_seq_ = 0;
  uint32_t rtx_ssrc_ = 0;
  uint16_t rtx_seq_ = 0;
  struct ActiveProbe {
    bwe::ProbeClusterSpec spec;
    uint64_t start_us = 0;
    size_t bytes = 0;
    size_t packets = 0;
  };
  std::optional<ActiveProbe> probe_;
  uint64_t probes_sent_ = 0;
  uint64_t probe_packets_ = 0;
  uint64_t packets_stamped_ = 0;
  uint64_t feedback_not_parsed_ = 0;
  uint64_t rtx_sent_ = 0;
};

}  // namespace cascade::media
