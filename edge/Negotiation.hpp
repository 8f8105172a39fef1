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
#include "core/sdp/Candidate.hpp"
#include "core/transport/WebRtcTransport.hpp"
#include "media/Negotiated.hpp"

namespace cascade::edge {

using media::NegotiatedSession;
using media::PayloadTypeInfo;
using media::SessionKind;
using media::TrackKind;

// What this node puts into every answer.
struct LocalIdentity {
  dtls::Fingerprint fingerprint;
  std::string candidate_ip;
  uint16_t candidate_port = 0;
  // RFC 6544: a passive ICE-TCP candidate on the same IP and port, for clients whose UDP is
  // blocked.
  bool tcp_candidate = false;
};

// Our candidates, best first: the UDP host candidate, then (if enabled) the passive TCP one.
// Answers and ICE restart answers (PATCH) carry the same list.
std::vector<sdp::Candidate> LocalCandidates(const LocalIdentity& identity);

// `audio_ssrc`/`video_ssrc` are what we send with (viewers only).
NegotiatedSession Negotiate(const std::string& offer_sdp, SessionKind kind, const LocalIdentity& identity,
                            uint32_t audio_ssrc, uint32_t video_ssrc, const std::string& cname);

}  // namespace cascade::edge
