#pragma once
// The rules of a WHIP/WHEP PATCH (RFC 9725 §4.3, RFC 8840): what the body asks for, whether
// its If-Match precondition holds, and our answer to an ICE restart. Pure functions on the
// request's text, so every rule is tested without a network; EdgeNode applies the result.
//
// Bad input throws net::HttpError: 415 for another media type, 400 naming what is wrong with
// the fragment, 412 for a failed precondition.
#include <string>
#include <string_view>
#include <vector>

#include "core/sdp/Candidate.hpp"
#include "core/sdp/SdpFragment.hpp"

namespace cascade::edge {

inline constexpr std::string_view kTrickleIceSdpfrag = "application/trickle-ice-sdpfrag";

enum class IcePatchKind : uint8_t {
  kTrickle,  // same credentials: more candidates (or end-of-candidates) for the current ICE session
  kRestart,  // new ice-ufrag and ice-pwd: a new ICE session (RFC 8445 §9)
};

struct IcePatch {
  IcePatchKind kind = IcePatchKind::kTrickle;
  sdp::SdpFragment fragment;
  std::string remote_ufrag;  // restart: the client's new credentials
  std::string remote_pwd;
};

// Whether a Content-Type header names `media_type` (parameters ignored, case-insensitive).
bool HasMediaType(std::string_view content_type, std::string_view media_type);

// Parses the body and tells a trickle from a restart by comparing its credentials with the
// client's current ones. Throws net::HttpError(400) for a malformed fragment, two different
// ufrags or passwords in one body, a password change without a new ufrag, or a restart
// without a password or with credentials too short for RFC 8445 §5.3.
IcePatch ParseIcePatch(std::string_view body, const std::string& current_remote_ufrag,
                       const std::string& current_remote_pwd);

// The entity tag of an ICE session: it changes with every restart, as RFC 9725 §4.3.1
// requires, and says nothing the client does not already know.
std::string IceSessionEtag(const std::string& local_ufrag);

// RFC 9725 §4.3.1: a trickle PATCH carries the current ETag in If-Match, a restart
// `If-Match: *`. A trickle for an ICE session that a restart has replaced is stale and must
// not be applied. Throws net::HttpError(412) when If-Match is present and does not hold; an
// absent If-Match passes (the edge is lenient with clients that never send one).
void CheckIfMatch(std::string_view if_match, const std::string& current_etag, IcePatchKind kind);

// The 200 body answering a restart: ice-lite, our new credentials, the BUNDLE group the client
// sent, and the first section it sent (or `default_mid`) with our candidates and
// end-of-candidates.
std::string BuildRestartAnswer(const sdp::SdpFragment& request, const std::string& local_ufrag,
                               const std::string& local_pwd, const std::vector<sdp::Candidate>& candidates,
                               const std::string& default_mid);

}  // namespace cascade::edge
