#pragma once
// Writes a SessionDescription as SDP text: CRLF line endings, lines in the order RFC 8866 §5
// requires (v o s i u e p c b t r z k a, then per section m i c b k a). Known attributes
// come first in a fixed order, unknown ones after them, so ParseSdp(SerializeSdp(x)) == x.
#include <string>

#include "core/sdp/SessionDescription.hpp"

namespace cascade::sdp {

std::string SerializeSdp(const SessionDescription& description);

}  // namespace cascade::sdp
