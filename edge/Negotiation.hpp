#pragma once
// Turns a browser's WHIP or WHEP offer into our answer and the plain facts the media path
// needs (payload types, header extension ids, ICE and DTLS parameters). Control path: bad
// offers throw net::HttpError(400) naming what is wrong.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/codecs/PayloadInfo.hpp"
#include "core/dtls/Fingerprint.hpp"
#include "core/rtp/HeaderExtensions.hpp"
#include "core/transport/WebRtcTransport.hpp"

namespace cascade::edge {

enum class SessionKind : uint8_t { kPublisher, kViewer };
const char* ToString(SessionKind kind);

enum class TrackKind : uint8_t { kAudio, kVideo };

struct PayloadTypeInfo {
  TrackKind kind = TrackKind::kVideo;
  codecs::CodecKind codec = codecs::CodecKind::kVp8;
  uint32_t clock_rate = 90000;
  bool valid = false;
};

// What this node puts into every answer.
struct LocalIdentity {
  dtls::Fingerprint fingerprint;
  std::string candidate_ip;
  uint16_t candidate_port = 0;
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

// `audio_ssrc`/`video_ssrc` are what we send with (viewers only).
NegotiatedSession Negotiate(const std::string& offer_sdp, SessionKind kind, const LocalIdentity& identity,
                            uint32_t audio_ssrc, uint32_t video_ssrc, const std::string& cname);

}  // namespace cascade::edge
