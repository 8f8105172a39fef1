#include "media/Negotiated.hpp"

namespace cascade::media {

const char* ToString(SessionKind kind) { return kind == SessionKind::kPublisher ? "publisher" : "viewer"; }

uint8_t NegotiatedSession::PayloadTypeFor(codecs::CodecKind codec) const {
  for (size_t pt = 0; pt < payload_types.size(); ++pt) {
    if (payload_types[pt].valid && payload_types[pt].codec == codec) return static_cast<uint8_t>(pt);
  }
  return kNoPayloadType;
}

uint8_t NegotiatedSession::RtxPayloadTypeFor(codecs::CodecKind codec) const {
  uint8_t pt = PayloadTypeFor(codec);
  return pt == kNoPayloadType ? kNoPayloadType : payload_types[pt].rtx_payload_type;
}

}  // namespace cascade::media
