#pragma once
// One stream as this node receives it from its upstream (the local publisher, or the parent
// link): the packet cache that answers NACKs from below, the NACK generator for what the
// upstream hop lost, the keyframe-request coalescer, receive statistics for our receiver
// reports and the measured bitrate a layer selector compares estimates with. It only keeps
// state: the room sends what it decides upstream, subscribers read the cache.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "core/codecs/PayloadInfo.hpp"
#include "core/rtcp/ReceiverStats.hpp"
#include "core/rtcp/ReportBlock.hpp"
#include "core/rtcp/SenderReport.hpp"
#include "core/rtp/KeyframeRequestCoalescer.hpp"
#include "core/rtp/NackGenerator.hpp"
#include "core/rtp/PacketCache.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "media/LinkMessage.hpp"

namespace cascade::media {

struct StreamOptions {
  uint64_t keyframe_request_interval_us = 300'000;
  rtp::PacketCache::Options packet_cache;
  rtp::NackGenerator::Options nack_generator;
  // Instant start: a receiver starting now is given the newest keyframe and everything since
  // from the cache when that keyframe is at most this old and this many packets back (the
  // backlog reaches it as a burst, and it starts that far behind live: Chromium's timestamp
  // extrapolator maps the replayed frames to real time, so the bound is also the most the
  // join adds to the viewer's delay until its jitter buffer converges).
  uint64_t keyframe_replay_max_age_us = 500'000;
  size_t keyframe_replay_max_packets = 512;
};

// What a received packet is, worked out once for every subscriber.
struct StreamArrival {
  bool padding_only = false;
  bool keyframe_start = false;  // first packet of a keyframe: a layer switch may happen here
  bool recovered = false;       // a packet this node had NACKed upstream
  codecs::PayloadInfo info;     // video: temporal layer, layer sync, picture id
};

class UpstreamStream {
 public:
  // A stream that sent nothing for this long is gone (the publisher's encoder paused it).
  static constexpr uint64_t kLiveTimeoutUs = 1'500'000;

  UpstreamStream(const StreamOptions& options, uint32_t ssrc, uint32_t mesh_ssrc);

  uint32_t ssrc() const { return ssrc_; }            // as it arrives from upstream
  uint32_t mesh_ssrc() const { return mesh_ssrc_; }  // as it travels on links
  TrackKind kind() const { return kind_; }
  codecs::CodecKind codec() const { return codec_; }
  uint32_t clock_rate() const { return clock_rate_; }
  const std::string& layer() const { return layer_; }  // simulcast RID at the origin
  void Describe(TrackKind kind, codecs::CodecKind codec, uint32_t clock_rate, std::string layer);

  // Statistics, cache and loss tracking for one packet from upstream.
  StreamArrival OnPacket(const rtp::RtpPacket& packet, uint64_t now_us);
  // What a packet of this stream is (a cached one replayed, or one arriving), without side effects.
  StreamArrival Inspect(const rtp::RtpPacket& packet) const;
  // Once per tick: the bitrate of the packets since the previous tick.
  void UpdateBitrate(uint64_t elapsed_us);
  uint64_t bitrate_bps() const { return paused_ ? reported_.bitrate_bps : bitrate_bps_; }
  bool live(uint64_t now_us) const {
    if (paused_) return reported_.live && now_us - reported_.at_us <= 2 * kLiveTimeoutUs;
    return last_packet_us_ != 0 && now_us - last_packet_us_ <= kLiveTimeoutUs;
  }
  // Layer-aware trees: this node asked its parent not to send the stream (no viewer or child
  // here needs it now); what the parent says about it stands in for what we would measure, so
  // layer selectors still know the layer is there and what it costs.
  struct ReportedState {
    uint64_t bitrate_bps = 0;
    uint16_t height = 0;
    uint8_t temporal_layers = 1;
    bool live = false;
    uint64_t at_us = 0;
  };
  void SetPaused(bool paused) { paused_ = paused; }
  bool paused() const { return paused_; }
  void SetReportedState(const ReportedState& state) {
    reported_ = state;
    if (state.height != 0 && height_ == 0) height_ = state.height;
    temporal_layers_ = std::max(temporal_layers_, state.temporal_layers);
  }
  bool received_any() const { return packets_received_ > 0; }
  // Video: the height of its last keyframe (0: none seen yet) and temporal layers seen.
  uint16_t height() const { return height_; }
  uint8_t temporal_layers() const { return temporal_layers_; }

  // Our receiver report block for this stream (none before the first packet).
  std::optional<rtcp::ReportBlock> MakeReportBlock(uint64_t now_us);
  // The upstream's sender report for this stream, echoed (LSR/DLSR) in our next report.
  void OnSenderReport(const rtcp::SenderReport& report, uint64_t now_us);
  // Our sender report towards children (the stream under its mesh SSRC, RTP time of now).
  rtcp::SenderReport::Fields MakeSenderReport(uint64_t ntp_now, uint64_t now_us) const;

  // Instant start: the newest keyframe, when every packet from its first to the newest one
  // received is still cached (none too old, too many, lost or not cached). Replaying
  // first_seq..newest_seq in order gives a receiver a decodable picture at once.
  struct CachedKeyframe {
    uint16_t first_seq = 0;
    uint16_t newest_seq = 0;
    uint64_t arrival_us = 0;  // of its first packet
    size_t packets() const { return static_cast<uint16_t>(newest_seq - first_seq) + size_t{1}; }
  };
  std::optional<CachedKeyframe> ReplayableKeyframe(uint64_t now_us) const;

  rtp::PacketCache& cache() { return cache_; }
  rtp::NackGenerator& nacks() { return nacks_; }
  rtp::KeyframeRequestCoalescer& keyframes() { return keyframes_; }
  // Asked again every tick until a keyframe arrives (after a parent switch, or a new stream
  // that receivers wait on).
  bool keyframe_wanted = false;
  // Layer-aware trees: when a viewer or child here last needed this stream.
  uint64_t last_needed_us = 0;
  // The NACK generator's counters already added to the room's and link's totals.
  uint64_t missing_counted = 0;
  uint64_t given_up_counted = 0;

 private:
  uint32_t ssrc_;
  uint32_t mesh_ssrc_;
  TrackKind kind_ = TrackKind::kVideo;
  codecs::CodecKind codec_ = codecs::CodecKind::kVp8;
  uint32_t clock_rate_ = 90000;
  std::string layer_;
  bool paused_ = false;
  ReportedState reported_;
  uint16_t height_ = 0;
  uint8_t temporal_layers_ = 1;
  uint64_t bytes_in_period_ = 0;
  uint64_t bitrate_bps_ = 0;
  uint64_t last_packet_us_ = 0;
  uint32_t last_rtp_timestamp_ = 0;
  uint32_t packets_received_ = 0;
  uint32_t octets_received_ = 0;
  uint32_t last_sr_mid32_ = 0;
  uint64_t last_sr_arrival_us_ = 0;
  rtcp::ReceiverStats stats_;
  uint64_t keyframe_replay_max_age_us_;
  size_t keyframe_replay_max_packets_;
  bool keyframe_seen_ = false;
  uint16_t keyframe_seq_ = 0;  // the newest keyframe's first packet
  uint64_t keyframe_arrival_us_ = 0;
  uint16_t newest_seq_ = 0;  // the newest packet received
  rtp::PacketCache cache_;   // plaintext as received
  rtp::NackGenerator nacks_;
  rtp::KeyframeRequestCoalescer keyframes_;
};

}  // namespace cascade::media
