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

// What this node is ready to take part in, beyond what every session gets.
struct NegotiationPolicy {
  // Transport-cc with publishers (the transport-wide-cc extension and rtcp-fb transport-cc).
  // The room answers publishers' packets with transport-cc feedback
  // (rtcp::TransportFeedbackGenerator): Chromium's send-side estimator, once transport-cc is
  // negotiated, starves without it (measured: 84-236 kbit/s within 15 s). The publisher's
  // packets then also carry the 2-byte slot each viewer's own transport-wide sequence number
  // is written into. REMB is negotiated either way. Viewers always get transport-cc when
  // they offer it.
  bool publisher_transport_cc = true;
};

// Viewers only: `audio_ssrc`/`video_ssrc` are what we send with, `video_rtx_ssrc` what our
// RTX retransmissions of video go out with (RFC 4588; kept in the answer and in
// NegotiatedSession::video_rtx_ssrc only when the viewer negotiated rtx; 0: no rtx).
// Publishers: all 0, and rtx is not negotiated with them.
NegotiatedSession Negotiate(const std::string& offer_sdp, SessionKind kind, const LocalIdentity& identity,
                            uint32_t audio_ssrc, uint32_t video_ssrc, uint32_t video_rtx_ssrc,
                            const std::string& cname, const NegotiationPolicy& policy = {});

}  // namespace cascade::edge
