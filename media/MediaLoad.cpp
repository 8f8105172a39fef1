#include "media/MediaLoad.hpp"

namespace cascade::media {

void AddMediaLoad(const MediaPlane& media, control::NodeLoad& load) {
  const size_t clients =
      media.session_count(SessionKind::kPublisher) + media.session_count(SessionKind::kViewer);
  load.users += static_cast<uint32_t>(clients);
  load.sessions += static_cast<uint32_t>(clients + media.link_count());
}

}  // namespace cascade::media
