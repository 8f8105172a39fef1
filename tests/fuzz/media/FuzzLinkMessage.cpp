// Link messages arrive on a link's data channel from another node: parsing must reject any
// malformed one cleanly, and what it accepts must survive a serialize/parse round trip
// unchanged (the relay re-sends announces and chat it received to its own children).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <variant>

#include "media/LinkMessage.hpp"

namespace {

using namespace cascade::media;

bool Same(const StreamAnnounce& a, const StreamAnnounce& b) {
  return a.room == b.room && a.ssrc == b.ssrc && a.kind == b.kind && a.codec == b.codec &&
         a.clock_rate == b.clock_rate && a.extensions == b.extensions;
}
bool Same(const StreamWithdraw& a, const StreamWithdraw& b) { return a.room == b.room && a.ssrc == b.ssrc; }
bool Same(const LinkChat& a, const LinkChat& b) { return a.room == b.room && a.text == b.text; }
bool Same(const StreamSubscription& a, const StreamSubscription& b) { return a == b; }
bool Same(const StreamStates& a, const StreamStates& b) { return a == b; }

bool Same(const LinkMessage& a, const LinkMessage& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& first) { return Same(first, std::get<std::decay_t<decltype(first)>>(b)); }, a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto message = ParseLinkMessage(std::span<const uint8_t>(data, size));
  if (!message.ok()) {
    if (message.error() >= LinkMessageError::kCount) std::abort();
    return 0;
  }
  const std::string text = SerializeLinkMessage(*message);
  auto again =
      ParseLinkMessage(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  if (!again.ok() || !Same(*message, *again)) std::abort();
  // Serializing is deterministic: the re-parsed message serializes to the same text.
  if (SerializeLinkMessage(*again) != text) std::abort();
  return 0;
}
