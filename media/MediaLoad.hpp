#pragma once
// What a node's media plane adds to its heartbeat load, the same for edges and relays:
//   sessions = client sessions (WHIP publishers + WHEP viewers) + links to other nodes:
//              every WebRTC association this node terminates;
//   users    = client sessions only (publishers + viewers): 0 on a relay.
// Placement's "full" thresholds (topology/) compare these with the node's capacity.
#include "control/client/ControlMessages.hpp"
#include "media/MediaPlane.hpp"

namespace cascade::media {

void AddMediaLoad(const MediaPlane& media, control::NodeLoad& load);

}  // namespace cascade::media
