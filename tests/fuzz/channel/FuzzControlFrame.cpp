// The control channel's input path: a TCP byte stream split into size-prefixed frames, each
// verified and decoded. Any input must end in frames, a clean error, or a need for more bytes.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "control/client/ControlCodec.hpp"
#include "core/channel/FrameReader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks a chunk size, so that frames split across reads are exercised too.
  if (size == 0) return 0;
  size_t chunk = (data[0] % 64) + 1;
  cascade::channel::FrameReader reader(64 * 1024);
  for (size_t offset = 1; offset < size; offset += chunk) {
    size_t n = size - offset < chunk ? size - offset : chunk;
    auto error = reader.Feed({data + offset, n}, [](std::span<const uint8_t> frame) {
      auto message = cascade::control::DecodeControlMessage(frame);
      if (!message.ok()) return;
      // Whatever decoded must encode and decode to the same kind of message.
      auto again = cascade::control::DecodeControlMessage(cascade::control::EncodeControlMessage(*message));
      if (!again.ok() || again->body.index() != message->body.index() || again->id != message->id)
        __builtin_trap();
    });
    if (error != cascade::channel::FrameError::kNone) break;
  }
  return 0;
}
