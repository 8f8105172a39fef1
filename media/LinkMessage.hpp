#pragma once
// Reliable messages between two nodes, on the link's `cascade-link` data channel (ordered
// SCTP, one JSON text message each): which streams a parent sends down and what they are,
// and chat fanned out across the tree. Media itself travels as SRTP on the same link.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/base/Result.hpp"
#include "core/codecs/PayloadInfo.hpp"
#include "core/rtp/HeaderExtensions.hpp"
#include "media/Negotiated.hpp"

namespace cascade::media {

inline constexpr const char* kLinkChannelLabel = "cascade-link";
inline constexpr size_t kMaxLinkMessageSize = 64 * 1024;

// A stream the parent now forwards on this link under its mesh-wide SSRC. Packets keep the
// origin publisher's payload type and header extension ids, so the announce says what they mean.
struct StreamAnnounce {
  std::string room;
  uint32_t ssrc = 0;
  TrackKind kind = TrackKind::kVideo;
  codecs::CodecKind codec = codecs::CodecKind::kVp8;
  uint32_t clock_rate = 90000;
  std::vector<std::pair<uint8_t, rtp::ExtensionUri>> extensions;  // id -> meaning, known ones only
  std::string layer;  // the publisher's simulcast RID (RFC 8852), empty without simulcast
};

// The stream ended (its publisher left); the child forgets it.
struct StreamWithdraw {
  std::string room;
  uint32_t ssrc = 0;
};

// A room's chat message, flooded along the tree (each node passes it to every link but the
// one it came from, so it reaches every node exactly once).
struct LinkChat {
  std::string room;
  std::string text;
};

// Layer-aware trees, child to parent: the room's video streams this node does not need now
// (no viewer or child below it gets them). The parent stops sending them on this link until
// a later subscription leaves them out of the list; everything else keeps flowing.
struct StreamSubscription {
  std::string room;
  std::vector<uint32_t> paused;  // mesh SSRCs
  bool operator==(const StreamSubscription&) const = default;
};

// Parent to child, once a second: what each stream of the room is doing at the parent, so a
// child that paused a layer still knows it is live and what it costs.
struct StreamState {
  uint32_t ssrc = 0;
  uint64_t bitrate_bps = 0;
  uint16_t height = 0;
  uint8_t temporal_layers = 1;
  bool live = false;
  bool operator==(const StreamState&) const = default;
};
struct StreamStates {
  std::string room;
  std::vector<StreamState> streams;
  bool operator==(const StreamStates&) const = default;
};

using LinkMessage = std::variant<StreamAnnounce, StreamWithdraw, LinkChat, StreamSubscription, StreamStates>;

enum class LinkMessageError : uint8_t { kTooLarge, kNotJson, kUnknownType, kMissingField, kBadValue, kCount };
const char* ToString(LinkMessageError error);

base::Result<LinkMessage, LinkMessageError> ParseLinkMessage(std::span<const uint8_t> data);
std::string SerializeLinkMessage(const LinkMessage& message);

}  // namespace cascade::media
