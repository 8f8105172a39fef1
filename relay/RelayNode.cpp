#include "relay/RelayNode.hpp"

#include "media/MediaLoad.hpp"

namespace cascade::relay {

RelayNode::RelayNode(media::NodeSettings settings, media::Room::Options room_options) {
  runtime_ = std::make_unique<media::NodeRuntime>(control::NodeRole::kRelay, std::move(settings), this);
  media_ = std::make_unique<media::MediaPlane>(*runtime_, room_options);
  runtime_->on_command = [this](const control::ControlMessage& command, control::CommandResult& result) {
    media_->ApplyCommand(command, result);
  };
  runtime_->fill_load = [this](control::NodeLoad& load) { media::AddMediaLoad(*media_, load); };
}

// Links go before the runtime whose socket and loop they use.
RelayNode::~RelayNode() { media_.reset(); }

}  // namespace cascade::relay
