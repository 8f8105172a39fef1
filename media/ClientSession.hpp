#pragma once
// One WHIP or WHEP resource: a browser publishing to or watching a room, its transport and
// what was negotiated. What a viewer receives (its streams, layer, estimate) lives in its
// ViewerSubscriber in the room; this is the session the edge's HTTP side manages.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/transport/WebRtcTransport.hpp"
#include "media/Negotiated.hpp"
#include "media/PacketSink.hpp"

namespace cascade::media {

class ClientSession {
 public:
  ClientSession(std::string id, std::string room, SessionKind kind, NegotiatedSession negotiated,
                uint32_t audio_ssrc, uint32_t video_ssrc)
      : id_(std::move(id)),
        room_(std::move(room)),
        kind_(kind),
        negotiated_(std::move(negotiated)),
        audio_ssrc_(audio_ssrc),
        video_ssrc_(video_ssrc) {}

  const std::string& id() const { return id_; }
  const std::string& room() const { return room_; }
  SessionKind kind() const { return kind_; }
  const NegotiatedSession& negotiated() const { return negotiated_; }
  transport::WebRtcTransport& transport() { return *transport_; }
  void set_transport(std::unique_ptr<transport::WebRtcTransport> transport) {
    transport_ = std::move(transport);
    sink_.set_transport(transport_.get());
  }
  bool has_transport() const { return transport_ != nullptr; }
  PacketSink& sink() { return sink_; }

  // The SSRCs this session's answer announced for what we send it (viewers).
  uint32_t audio_ssrc() const { return audio_ssrc_; }
  uint32_t video_ssrc() const { return video_ssrc_; }

  // The id of the token that created the session: only it may PATCH, DELETE or set the
  // layer of the session's resource (empty: the token had no id).
  std::string owner_token_id;
  std::optional<uint16_t> chat_stream;
  std::optional<uint16_t> layer_stream;  // a viewer's "layer" data channel (its preference)
  uint64_t created_us = 0;
  uint64_t first_media_sent_us = 0;

 private:
  std::string id_;
  std::string room_;
  SessionKind kind_;
  NegotiatedSession negotiated_;
  std::unique_ptr<transport::WebRtcTransport> transport_;
  TransportSink sink_;
  uint32_t audio_ssrc_;
  uint32_t video_ssrc_;
};

}  // namespace cascade::media
