#include "media/TemporalLayerFilter.hpp"

namespace cascade::media {

bool TemporalLayerFilter::Accept(const Packet& packet) {
  // Switch only where a frame starts, so no frame reaches the viewer in part.
  if (packet.begins_frame) {
    if (target_ < current_) {
      current_ = target_;
    } else if (target_ > current_) {
      if (packet.is_keyframe) {
        current_ = target_;
      } else if (packet.layer_sync && packet.temporal_layer == current_ + 1) {
        current_ = packet.temporal_layer;
      }
    }
  }
  if (packet.temporal_layer <= current_) return true;
  ++dropped_;
  return false;
}

}  // namespace cascade::media
