#pragma once
// The offers the load generator sends (WHIP: sendonly Opus + VP8 with our SSRCs; WHEP:
// recvonly Opus + VP8) and what it needs from the edge's answer.
#include <cstdint>
#include <optional>
#include <string>

#include "core/dtls/DtlsTransport.hpp"
#include "core/dtls/Fingerprint.hpp"
#include "core/net/SocketAddress.hpp"

namespace cascade::loadgen {

inline constexpr uint8_t kOpusPayloadType = 111;
inline constexpr uint8_t kVp8PayloadType = 96;

struct OfferParams {
  bool publish = false;  // sendonly with SSRCs; otherwise recvonly
  std::string ice_ufrag;
  std::string ice_pwd;
  dtls::Fingerprint fingerprint;
  net::SocketAddress candidate;  // our host candidate
  uint32_t audio_ssrc = 0;       // publisher only
  uint32_t video_ssrc = 0;
};

std::string BuildOffer(const OfferParams& params);

struct AnswerInfo {
  std::string ice_ufrag;
  std::string ice_pwd;
  dtls::Fingerprint fingerprint;
  net::SocketAddress candidate;
  // RFC 5763 §5: the answer's a=setup decides ours (passive answer: we are the DTLS client).
  dtls::DtlsRole our_dtls_role = dtls::DtlsRole::kClient;
  uint8_t audio_payload_type = kOpusPayloadType;
  uint8_t video_payload_type = kVp8PayloadType;
};

// Parses the edge's answer; on failure returns nullopt and sets `error`.
std::optional<AnswerInfo> ParseAnswer(const std::string& sdp, std::string& error);

}  // namespace cascade::loadgen
