#pragma once
// What a client session negotiated, as plain facts for the media path: payload types by
// number (each with the RTX payload type that repairs it), header extension ids both ways,
// which bandwidth feedback the client takes, and the transport parameters. The edge fills it
// from a WHIP/WHEP offer; the room forwards by it.
#include <array>
#include <cstdint>
#include <string>

#include "core/codecs/PayloadInfo.hpp"
#include "core/rtp/HeaderExtensions.hpp"
#include "core/transport/WebRtcTransport.hpp"

namespace cascade::media {

enum class SessionKind : uint8_t { kPublisher, kViewer };
const char* ToString(SessionKind kind);

enum class TrackKind : uint8_t { kAudio, kVideo };

inline constexpr uint8_t kNoPayloadType = 0xff;

struct PayloadTypeInfo {
  TrackKind kind = TrackKind::kVideo;
  codecs::CodecKind codec = codecs::CodecKind::kVp8;
  uint32_t clock_rate = 90000;
  bool valid = false;
  // RFC 4588: the rtx payload type whose apt is this one (kNoPayloadType: none).
  uint8_t rtx_payload_type = kNoPayloadType;
};

struct NegotiatedSession {
  std::string answer_sdp;
  transport::WebRtcTransportConfig transport;
  std::array<PayloadTypeInfo, 128> payload_types{};                                       // by payload type
  std::array<rtp::ExtensionUri, 256> extension_by_id{};                                   // by negotiated id
  std::array<uint8_t, static_cast<size_t>(rtp::ExtensionUri::kCount)> id_by_extension{};  // 0: not negotiated
  bool has_audio = false;
  bool has_video = false;
  // Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01):
  // the transport-wide-cc extension (TransportCcExtensionId) and rtcp-fb transport-cc are
  // both negotiated, so every RTP packet on this transport carries a transport-wide sequence
  // number and the other side expects (publisher) or sends (viewer) transport-cc feedback.
  bool transport_cc = false;
  // rtcp-fb goog-remb (draft-alvestrand-rmcat-remb) on some payload type: REMB is understood.
  bool remb = false;
  // Viewers: the SSRC our RTX retransmissions of video go out with (the answer's
  // a=ssrc-group:FID video_ssrc rtx_ssrc); 0 when the viewer did not negotiate RTX.
  // Publishers: always 0 (RTX is not accepted from publishers yet).
  uint32_t video_rtx_ssrc = 0;

  // The viewer's payload type for a codec, kNoPayloadType when it did not negotiate it.
  uint8_t PayloadTypeFor(codecs::CodecKind codec) const;
  // The viewer's rtx payload type repairing that codec's payload type, kNoPayloadType when
  // it has none (codec or rtx not negotiated).
  uint8_t RtxPayloadTypeFor(codecs::CodecKind codec) const;
  // 0 when the transport-wide-cc extension was not negotiated.
  uint8_t TransportCcExtensionId() const {
    return id_by_extension[static_cast<size_t>(rtp::ExtensionUri::kTransportWideCc)];
  }
};

}  // namespace cascade::media
