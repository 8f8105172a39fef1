#include "core/channel/FrameReader.hpp"

namespace cascade::channel {

const char* ToString(FrameError error) {
  switch (error) {
    case FrameError::kNone: return "none";
    case FrameError::kTooLarge: return "frame_too_large";
    case FrameError::kEmpty: return "empty_frame";
    case FrameError::kCount: break;
  }
  return "?";
}

}  // namespace cascade::channel
