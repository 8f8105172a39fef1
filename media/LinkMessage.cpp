#include "media/LinkMessage.hpp"

#include <nlohmann/json.hpp>

#include "core/codecs/CodecTable.hpp"

namespace cascade::media {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxRoomName = 256;
constexpr size_t kMaxExtensions = 16;
constexpr size_t kMaxLayerName = 64;

struct FieldError {
  LinkMessageError error;
};

// Throws FieldError: the message is one small JSON object and this is the control path.
const Json& Field(const Json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end()) throw FieldError{LinkMessageError::kMissingField};
  return *it;
}

std::string RoomName(const Json& object) {
  const Json& room = Field(object, "room");
  if (!room.is_string() || room.get_ref<const std::string&>().empty() ||
      room.get_ref<const std::string&>().size() > kMaxRoomName) {
    throw FieldError{LinkMessageError::kBadValue};
  }
  return room.get<std::string>();
}

uint32_t Uint32(const Json& object, const char* name) {
  const Json& value = Field(object, name);
  if (!value.is_number_unsigned() || value.get<uint64_t>() > 0xffffffffu) {
    throw FieldError{LinkMessageError::kBadValue};
  }
  return static_cast<uint32_t>(value.get<uint64_t>());
}

StreamAnnounce ParseAnnounce(const Json& object) {
  StreamAnnounce announce;
  announce.room = RoomName(object);
  announce.ssrc = Uint32(object, "ssrc");
  const Json& kind = Field(object, "kind");
  if (kind == "audio") {
    announce.kind = TrackKind::kAudio;
  } else if (kind == "video") {
    announce.kind = TrackKind::kVideo;
  } else {
    throw FieldError{LinkMessageError::kBadValue};
  }
  const Json& codec = Field(object, "codec");
  // The codec table's stable names ("vp8"), the same on every node.
  const codecs::CodecDescription* parsed =
      codec.is_string() ? codecs::FindCodecByName(codec.get_ref<const std::string&>()) : nullptr;
  if (!parsed) throw FieldError{LinkMessageError::kBadValue};
  announce.codec = parsed->kind;
  announce.clock_rate = Uint32(object, "clock_rate");
  if (announce.clock_rate == 0) throw FieldError{LinkMessageError::kBadValue};
  const Json& extensions = Field(object, "extensions");
  if (!extensions.is_object() || extensions.size() > kMaxExtensions)
    throw FieldError{LinkMessageError::kBadValue};
  for (const auto& [key, value] : extensions.items()) {
    if (!value.is_string()) throw FieldError{LinkMessageError::kBadValue};
    int id = 0;
    for (char c : key) {
      if (c < '0' || c > '9' || key.size() > 3 || key[0] == '0')
        throw FieldError{LinkMessageError::kBadValue};
      id = id * 10 + (c - '0');
    }
    if (id < 1 || id > 255) throw FieldError{LinkMessageError::kBadValue};
    auto uri = rtp::ExtensionUriFromString(value.get_ref<const std::string&>());
    if (uri != rtp::ExtensionUri::kUnknown) announce.extensions.emplace_back(static_cast<uint8_t>(id), uri);
  }
  if (auto layer = object.find("layer"); layer != object.end()) {
    if (!layer->is_string() || layer->get_ref<const std::string&>().size() > kMaxLayerName) {
      throw FieldError{LinkMessageError::kBadValue};
    }
    announce.layer = layer->get<std::string>();
  }
  return announce;
}

constexpr size_t kMaxStreamsInMessage = 64;

template <typename T>
T Unsigned(const Json& object, const char* name, uint64_t max) {
  const Json& value = Field(object, name);
  if (!value.is_number_unsigned() || value.get<uint64_t>() > max)
    throw FieldError{LinkMessageError::kBadValue};
  return static_cast<T>(value.get<uint64_t>());
}

const Json& BoundedArray(const Json& object, const char* name) {
  const Json& array = Field(object, name);
  if (!array.is_array() || array.size() > kMaxStreamsInMessage) throw FieldError{LinkMessageError::kBadValue};
  return array;
}

StreamSubscription ParseSubscription(const Json& object) {
  StreamSubscription subscription{RoomName(object), {}};
  for (const Json& ssrc : BoundedArray(object, "paused")) {
    if (!ssrc.is_number_unsigned() || ssrc.get<uint64_t>() > 0xffffffffu)
      throw FieldError{LinkMessageError::kBadValue};
    subscription.paused.push_back(static_cast<uint32_t>(ssrc.get<uint64_t>()));
  }
  return subscription;
}

StreamStates ParseStates(const Json& object) {
  StreamStates states{RoomName(object), {}};
  for (const Json& entry : BoundedArray(object, "streams")) {
    if (!entry.is_object()) throw FieldError{LinkMessageError::kBadValue};
    StreamState state;
    state.ssrc = Unsigned<uint32_t>(entry, "ssrc", 0xffffffffu);
    state.bitrate_bps = Unsigned<uint64_t>(entry, "bitrate_bps", 100'000'000'000ull);
    state.height = Unsigned<uint16_t>(entry, "height", 0xffff);
    state.temporal_layers = Unsigned<uint8_t>(entry, "temporal_layers", 8);
    const Json& live = Field(entry, "live");
    if (!live.is_boolean()) throw FieldError{LinkMessageError::kBadValue};
    state.live = live.get<bool>();
    states.streams.push_back(state);
  }
  return states;
}

}  // namespace

const char* ToString(LinkMessageError error) {
  switch (error) {
    case LinkMessageError::kTooLarge: return "too_large";
    case LinkMessageError::kNotJson: return "not_json";
    case LinkMessageError::kUnknownType: return "unknown_type";
    case LinkMessageError::kMissingField: return "missing_field";
    case LinkMessageError::kBadValue: return "bad_value";
    case LinkMessageError::kCount: break;
  }
  return "unknown";
}

base::Result<LinkMessage, LinkMessageError> ParseLinkMessage(std::span<const uint8_t> data) {
  if (data.size() > kMaxLinkMessageSize) return base::Fail(LinkMessageError::kTooLarge);
  Json object = Json::parse(data.begin(), data.end(), nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) return base::Fail(LinkMessageError::kNotJson);
  try {
    const Json& type = Field(object, "type");
    if (type == "announce") return LinkMessage(ParseAnnounce(object));
    if (type == "withdraw") return LinkMessage(StreamWithdraw{RoomName(object), Uint32(object, "ssrc")});
    if (type == "chat") {
      const Json& text = Field(object, "text");
      if (!text.is_string()) return base::Fail(LinkMessageError::kBadValue);
      return LinkMessage(LinkChat{RoomName(object), text.get<std::string>()});
    }
    if (type == "subscription") return LinkMessage(ParseSubscription(object));
    if (type == "states") return LinkMessage(ParseStates(object));
    return base::Fail(LinkMessageError::kUnknownType);
  } catch (const FieldError& failure) {
    return base::Fail(failure.error);
  }
}

std::string SerializeLinkMessage(const LinkMessage& message) {
  Json out;
  if (const auto* announce = std::get_if<StreamAnnounce>(&message)) {
    Json extensions = Json::object();
    for (const auto& [id, uri] : announce->extensions)
      extensions[std::to_string(id)] = std::string(rtp::ToUri(uri));
    out = {{"type", "announce"},
           {"room", announce->room},
           {"ssrc", announce->ssrc},
           {"kind", announce->kind == TrackKind::kAudio ? "audio" : "video"},
           {"codec", codecs::ToString(announce->codec)},
           {"clock_rate", announce->clock_rate},
           {"extensions", std::move(extensions)}};
    if (!announce->layer.empty()) out["layer"] = announce->layer;
  } else if (const auto* withdraw = std::get_if<StreamWithdraw>(&message)) {
    out = {{"type", "withdraw"}, {"room", withdraw->room}, {"ssrc", withdraw->ssrc}};
  } else if (const auto* chat = std::get_if<LinkChat>(&message)) {
    out = {{"type", "chat"}, {"room", chat->room}, {"text", chat->text}};
  } else if (const auto* subscription = std::get_if<StreamSubscription>(&message)) {
    out = {{"type", "subscription"}, {"room", subscription->room}, {"paused", subscription->paused}};
  } else if (const auto* states = std::get_if<StreamStates>(&message)) {
    Json streams = Json::array();
    for (const auto& state : states->streams) {
      streams.push_back({{"ssrc", state.ssrc},
                         {"bitrate_bps", state.bitrate_bps},
                         {"height", state.height},
                         {"temporal_layers", state.temporal_layers},
                         {"live", state.live}});
    }
    out = {{"type", "states"}, {"room", states->room}, {"streams", std::move(streams)}};
  }
  // Chat text from browsers may hold invalid UTF-8: replace rather than throw.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace cascade::media
