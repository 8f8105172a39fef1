#pragma once
// Per viewer, which temporal layers of the forwarded video reach it: TL0 only (a third of the
// frame rate with libwebrtc's three-layer pattern), TL0+1, or everything. Temporal layers
// need no keyframe to switch (RFC 7741 §4.2, TID and Y): going down takes effect at the next
// frame start; going up waits for a frame start where the next layer can be decoded: a
// keyframe (every layer at once) or a layer-sync frame (VP8 Y, VP9 U) of exactly the next
// layer, since a sync frame references only TL0 but later frames of its layer reference each
// other. Streams without temporal layers carry TID 0 everywhere and always pass.
//
// Per packet (the room, for the video track of one viewer):
//   auto info = codecs::InspectPayload(codec, packet.payload());
//   if (filter.Accept(TemporalLayerFilter::PacketOf(*info))) {
//     pictures.Forward(...);  rewriter.Rewrite(packet, now);  send
//   } else if (!rewriter.Skip(packet)) {
//     // late: later packets were numbered around it, so its number is a hole; send it
//   }
#include <cstdint>

#include "core/codecs/PayloadInfo.hpp"

namespace cascade::media {

class TemporalLayerFilter {
 public:
  static constexpr uint8_t kAllLayers = 0xff;

  struct Packet {
    uint8_t temporal_layer = 0;
    bool layer_sync = false;
    bool is_keyframe = false;
    bool begins_frame = false;
  };
  static Packet PacketOf(const codecs::PayloadInfo& info) {
    return {info.temporal_layer, info.layer_sync, info.is_keyframe, info.begins_frame};
  }

  explicit TemporalLayerFilter(uint8_t target = kAllLayers) : target_(target), current_(target) {}

  // The highest temporal layer the viewer should get (LayerSelector's target).
  void SetTarget(uint8_t max_temporal_layer) { target_ = max_temporal_layer; }
  // True: forward the packet; false: drop it (RtpStreamRewriter::Skip closes the gap).
  bool Accept(const Packet& packet);

  uint8_t target() const { return target_; }
  // The highest layer forwarded now; differs from target() while an up-switch waits.
  uint8_t current() const { return current_; }
  uint64_t dropped() const { return dropped_; }

 private:
  uint8_t target_;
  uint8_t current_;
  uint64_t dropped_ = 0;
};

}  // namespace cascade::media
