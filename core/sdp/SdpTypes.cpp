#include "core/sdp/SdpTypes.hpp"

#include "core/base/Ascii.hpp"

namespace cascade::sdp {

const char* ToString(Direction direction) {
  switch (direction) {
    case Direction::kSendRecv: return "sendrecv";
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
    case Direction::kCount: break;
  }
  return "unknown";
}

std::optional<Direction> ParseDirection(std::string_view text) {
  if (text == "sendrecv") return Direction::kSendRecv;
  if (text == "sendonly") return Direction::kSendOnly;
  if (text == "recvonly") return Direction::kRecvOnly;
  if (text == "inactive") return Direction::kInactive;
  return std::nullopt;
}

Direction Reverse(Direction direction) {
  switch (direction) {
    case Direction::kSendOnly: return Direction::kRecvOnly;
    case Direction::kRecvOnly: return Direction::kSendOnly;
    default: return direction;
  }
}

const char* ToString(SetupRole role) {
  switch (role) {
    case SetupRole::kActive: return "active";
    case SetupRole::kPassive: return "passive";
    case SetupRole::kActPass: return "actpass";
    case SetupRole::kHoldConn: return "holdconn";
    case SetupRole::kCount: break;
  }
  return "unknown";
}

std::optional<SetupRole> ParseSetupRole(std::string_view text) {
  if (text == "active") return SetupRole::kActive;
  if (text == "passive") return SetupRole::kPassive;
  if (text == "actpass") return SetupRole::kActPass;
  if (text == "holdconn") return SetupRole::kHoldConn;
  return std::nullopt;
}

const char* ToString(MediaKind kind) {
  switch (kind) {
    case MediaKind::kAudio: return "audio";
    case MediaKind::kVideo: return "video";
    case MediaKind::kApplication: return "application";
    case MediaKind::kOther: return "other";
    case MediaKind::kCount: break;
  }
  return "unknown";
}

MediaKind ParseMediaKind(std::string_view text) {
  if (text == "audio") return MediaKind::kAudio;
  if (text == "video") return MediaKind::kVideo;
  if (text == "application") return MediaKind::kApplication;
  return MediaKind::kOther;
}

const char* ToString(RidDirection direction) {
  switch (direction) {
    case RidDirection::kSend: return "send";
    case RidDirection::kRecv: return "recv";
    case RidDirection::kCount: break;
  }
  return "unknown";
}

const std::string* Fmtp::Find(std::string_view key) const {
  for (const auto& p : params) {
    if (EqualsIgnoreCase(p.key, key)) return p.value ? &*p.value : nullptr;
  }
  return nullptr;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return base::EqualsAsciiIgnoreCase(a, b); }

}  // namespace cascade::sdp
