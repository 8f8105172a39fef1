#pragma once
// One WHIP or WHEP resource: a browser publishing to or watching a room, its transport and
// what was negotiated, plus (for viewers) the per-viewer stream state: one continuous SSRC,
// sequence and timestamp space per track, and which publisher layer it currently gets.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/rtp/NackResponder.hpp"
#include "core/rtp/RtpStreamRewriter.hpp"
#include "core/transport/WebRtcTransport.hpp"
#include "media/Negotiated.hpp"

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
  uint32_t source_ssrc = 0;           // the publisher stream forwarded now (0: none yet)
  uint32_t pending_source_ssrc = 0;   // a layer we switch to at its next keyframe
  rtp::NackResponder nack_responder;  // keyed by this track's output sequence numbers
  uint64_t rtt_us = 0;                // from the viewer's receiver reports (0: unknown)
};

class ClientSession {
 public:
  ClientSession(std::string id, std::string room, SessionKind kind, NegotiatedSession negotiated,
                uint32_t audio_ssrc, uint32_t video_ssrc)
      : id_(std::move(id)),
        room_(std::move(room)),
        kind_(kind),
        negotiated_(std::move(negotiated)),
        audio_(audio_ssrc, 48000),
        video_(video_ssrc, 90000) {}

  const std::string& id() const { return id_; }
  const std::string& room() const { return room_; }
  SessionKind kind() const { return kind_; }
  const NegotiatedSession& negotiated() const { return negotiated_; }
  transport::WebRtcTransport& transport() { return *transport_; }
  void set_transport(std::unique_ptr<transport::WebRtcTransport> transport) {
    transport_ = std::move(transport);
  }
  bool has_transport() const { return transport_ != nullptr; }

  ViewerTrack& audio() { return audio_; }
  ViewerTrack& video() { return video_; }
  ViewerTrack& track(TrackKind kind) { return kind == TrackKind::kAudio ? audio_ : video_; }

  // The publisher's header extension ids mapped to this viewer's (0: drop), set by the room.
  std::array<uint8_t, 256>& extension_map() { return extension_map_; }

  std::optional<uint16_t> chat_stream;
  uint64_t created_us = 0;
  uint64_t first_media_sent_us = 0;

 private:
  std::string id_;
  std::string room_;
  SessionKind kind_;
  NegotiatedSession negotiated_;
  std::unique_ptr<transport::WebRtcTransport> transport_;
  ViewerTrack audio_;
  ViewerTrack video_;
  std::array<uint8_t, 256> extension_map_{};
};

}  // namespace cascade::media
