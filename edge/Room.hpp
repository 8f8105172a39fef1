#pragma once
// A live session on this edge: at most one publisher and any number of viewers. Forwards
// the publisher's packets to every viewer (one copy, header rewrite and encryption each),
// chooses each viewer's simulcast layer, coalesces keyframe requests, keeps RTCP flowing
// both ways and relays the `chat` data channel.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/Metrics.hpp"
#include "core/rtcp/ReceiverStats.hpp"
#include "core/rtcp/RtcpPacket.hpp"
#include "core/rtp/KeyframeRequestCoalescer.hpp"
#include "core/rtp/NackGenerator.hpp"
#include "core/rtp/PacketCache.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "edge/EdgeSession.hpp"

namespace cascade::edge {

struct RoomCounters {
  uint64_t packets_forwarded = 0;
  uint64_t bytes_forwarded = 0;
  uint64_t packets_not_forwarded = 0;  // viewer not ready, codec not negotiated, queue full
  uint64_t keyframe_requests_received = 0;
  uint64_t keyframe_requests_sent = 0;
  uint64_t chat_messages = 0;
  // Loss repair on the publisher -> edge -> viewer path.
  uint64_t nacks_received = 0;          // NACK messages from viewers
  uint64_t nack_packets_resent = 0;     // answered from the edge's cache
  uint64_t nack_not_in_cache = 0;       // asked for, but not cached (too old, never received)
  uint64_t nack_already_requested = 0;  // asked for a packet the edge itself is NACKing upstream
  uint64_t nack_suppressed = 0;         // resent to that viewer less than one RTT ago
  uint64_t nacks_sent = 0;              // NACK messages to publishers
  uint64_t nack_seqs_requested = 0;     // sequence numbers in them (retries included)
  uint64_t nack_recovered = 0;          // requested packets that arrived
  uint64_t nack_given_up = 0;           // lost packets the edge stopped asking for
};

class Room {
 public:
  struct Options {
    uint64_t keyframe_request_interval_us = 300'000;
    // The publisher link's RTT for NACK retries (the edge does not measure it: it sends the
    // publisher no sender reports); retries go out every max(this, 20 ms).
    uint64_t publisher_rtt_us = 50'000;
    rtp::PacketCache::Options packet_cache;
    rtp::NackGenerator::Options nack_generator;
    uint64_t publisher_bitrate_cap_bps = 5'000'000;
  };

  Room(std::string name, Options options, RoomCounters& counters)
      : name_(std::move(name)), options_(options), counters_(counters) {}

  const std::string& name() const { return name_; }
  EdgeSession* publisher() const { return publisher_; }
  const std::vector<EdgeSession*>& viewers() const { return viewers_; }
  bool empty() const { return publisher_ == nullptr && viewers_.empty(); }

  void SetPublisher(EdgeSession* session);
  void AddViewer(EdgeSession* session, uint64_t now_us);
  // A viewer's transport is up: pick its layer and ask for a keyframe so it starts at once.
  void OnViewerConnected(EdgeSession* session, uint64_t now_us);
  void Remove(EdgeSession* session);

  void OnPublisherRtp(rtp::RtpPacket& packet, uint64_t now_us);
  void OnPublisherRtcp(std::span<const uint8_t> compound);
  void OnViewerRtcp(EdgeSession* viewer, std::span<const uint8_t> compound, uint64_t now_us);
  void OnChatMessage(EdgeSession* from, std::span<const uint8_t> message);
  // Once a second-ish: layer choice, receiver reports and REMB to the publisher, sender reports to viewers.
  void OnTick(uint64_t now_us);

 private:
  struct Source {
    explicit Source(const Options& options)
        : cache(options.packet_cache),
          nacks(options.nack_generator),
          keyframes(options.keyframe_request_interval_us) {}
    uint32_t ssrc = 0;
    TrackKind kind = TrackKind::kVideo;
    codecs::CodecKind codec = codecs::CodecKind::kVp8;
    uint32_t clock_rate = 90000;
    uint64_t bytes_in_period = 0;
    uint64_t bitrate_bps = 0;
    uint64_t last_packet_us = 0;
    rtcp::ReceiverStats stats;
    rtp::PacketCache cache;                   // plaintext as received, for viewers' NACKs
    rtp::NackGenerator nacks;                 // what the publisher -> edge link lost
    rtp::KeyframeRequestCoalescer keyframes;  // PLI to the publisher, at most one per interval
    uint64_t nacks_given_up_counted = 0;      // nacks.counters().given_up already in RoomCounters
  };

  Source* FindSource(uint32_t ssrc);
  Source* LearnSource(const rtp::RtpPacket& packet);
  uint32_t BestVideoSource(uint64_t now_us) const;
  void RequestKeyframe(Source& source, uint64_t now_us);
  void SendKeyframeRequestIfDue(Source& source, uint64_t now_us);
  void SendPublisherNacks(Source& source, uint64_t now_us);
  void OnViewerNack(EdgeSession& viewer, const rtcp::RtcpPacket& packet, uint64_t now_us);
  void OnViewerReceiverReport(EdgeSession& viewer, const rtcp::RtcpPacket& packet);
  void ResendTo(EdgeSession& viewer, ViewerTrack& track, std::span<const uint8_t> cached,
                uint8_t payload_type, uint64_t now_us);
  void ForwardTo(EdgeSession& viewer, ViewerTrack& track, const rtp::RtpPacket& packet, uint8_t payload_type,
                 uint64_t now_us);
  void MapExtensions(EdgeSession& viewer);
  void SendPublisherFeedback();
  void SendSenderReports(uint64_t now_us);

  std::string name_;
  Options options_;
  RoomCounters& counters_;  // owned by the node
  EdgeSession* publisher_ = nullptr;
  std::vector<EdgeSession*> viewers_;
  std::vector<Source> sources_;
  uint64_t last_tick_us_ = 0;
};

}  // namespace cascade::edge
