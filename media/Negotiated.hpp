#pragma once
// What a client session negotiated, as plain facts for the media path: payload types by
// number, header extension ids both ways, and the transport parameters. The edge fills it
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

struct PayloadTypeInfo {
  TrackKind kind = TrackKind::kVideo;
  codecs::CodecKind codec = codecs::CodecKind::kVp8;
  uint32_t clock_rate = 90000;
  bool valid = false;
};

struct NegotiatedSession {
  std::string answer_sdp;
  transport::WebRtcTransportConfig transport;
  std::array<PayloadTypeInfo, 128> payload_types{};                                       // by payload type
  std::array<rtp::ExtensionUri, 256> extension_by_id{};                                   // by negotiated id
  std::array<uint8_t, static_cast<size_t>(rtp::ExtensionUri::kCount)> id_by_extension{};  // 0: not negotiated
  bool has_audio = false;
  bool has_video = false;
  // The viewer's payload type for a codec, 0xff when it did not negotiate it.
  uint8_t PayloadTypeFor(codecs::CodecKind codec) const;
};

}  // namespace cascade::media
