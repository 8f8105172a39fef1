#pragma once
// Builds our SDP answer to a browser's WHIP/WHEP offer (JSEP RFC 8829 §5.3.1): same mids and
// BUNDLE group, our ICE/DTLS identity, only codecs we support with the offer's payload
// types, the offer's header extension ids, rid simulcast received as offered.
// Sections we cannot use are rejected with port 0 as long as another one is usable.
#include "core/base/Result.hpp"
#include "core/sdp/AnswerOptions.hpp"
#include "core/sdp/SdpError.hpp"
#include "core/sdp/SessionDescription.hpp"

namespace cascade::sdp {

base::Result<SessionDescription, NegotiationError> BuildAnswer(const SessionDescription& offer,
                                                               const AnswerOptions& options);

}  // namespace cascade::sdp
