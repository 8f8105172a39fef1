#include "relay/RelayNode.hpp"

#include "common/MediaLoad.hpp"

namespace cascade::relay {

RelayNode::RelayNode(common::NodeSettings settings, common::Room::Options room_options) {
  runtime_ = std::make_unique<common::NodeRuntime>(control::NodeRole::kRelay, std::move(settings), this);
  media_ = std::make_unique<common::MediaPlane>(*runtime_, room_options);
  runtime_->on_command = [this](const control::ControlMessage& command, control::CommandResult& result) {
    media_->ApplyCommand(command, result);
  };
  runtime_->fill_load = [this](control::NodeLoad& load) { common::AddMediaLoad(*media_, load); };
}

// Links go before the runtime whose socket and loop they use.
RelayNode::~RelayNode() { media_.reset(); }

}  // namespace cascade::relay
