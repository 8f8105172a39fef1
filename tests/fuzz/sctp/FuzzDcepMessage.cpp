// Parses arbitrary bytes as a DCEP message (RFC 8832); whatever parses must serialize and
// re-parse to the same fields.
#include <cstdint>
#include <vector>

#include "core/sctp/DcepMessage.hpp"

using cascade::sctp::DcepMessage;
using cascade::sctp::DcepMessageType;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = DcepMessage::Parse({data, size});
  if (!parsed) return 0;
  std::vector<uint8_t> out;
  if (parsed->type() == DcepMessageType::kAck) {
    out.resize(DcepMessage::kAckSize);
    if (!DcepMessage::SerializeAck(out).ok()) __builtin_trap();
    auto again = DcepMessage::Parse(out);
    if (!again || again->type() != DcepMessageType::kAck) __builtin_trap();
    return 0;
  }
  const auto& open = parsed->open();
  // The view never reaches past the input.
  if (open.label.size() + open.protocol.size() + DcepMessage::kOpenHeaderSize > size) __builtin_trap();
  out.resize(DcepMessage::OpenSize(open));
  auto written = DcepMessage::SerializeOpen(open, out);
  if (!written || *written != out.size()) __builtin_trap();
  auto again = DcepMessage::Parse(out);
  if (!again || again->type() != DcepMessageType::kOpen) __builtin_trap();
  const auto& b = again->open();
  if (b.channel_type != open.channel_type || b.priority != open.priority ||
      b.reliability_parameter != open.reliability_parameter || b.label != open.label ||
      b.protocol != open.protocol) {
    __builtin_trap();
  }
  return 0;
}
