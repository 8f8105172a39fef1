#include "core/sctp/DcepMessage.hpp"

#include "core/base/Bytes.hpp"

namespace cascade::sctp {

const char* ToString(DcepError error) {
  switch (error) {
    case DcepError::kEmpty: return "empty";
    case DcepError::kUnknownMessageType: return "unknown_message_type";
    case DcepError::kTruncatedHeader: return "truncated_header";
    case DcepError::kTruncatedLabel: return "truncated_label";
    case DcepError::kTruncatedProtocol: return "truncated_protocol";
    case DcepError::kUnknownChannelType: return "unknown_channel_type";
    case DcepError::kLabelTooLong: return "label_too_long";
    case DcepError::kProtocolTooLong: return "protocol_too_long";
    case DcepError::kBufferTooSmall: return "buffer_too_small";
    case DcepError::kCount: break;
  }
  return "unknown";
}

bool IsKnownChannelType(uint8_t value) {
  switch (value) {
    case 0x00:
    case 0x01:
    case 0x02:
    case 0x80:
    case 0x81:
    case 0x82: return true;
    default: return false;
  }
}

namespace {

std::string_view AsString(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

base::Result<DcepMessage, DcepError> DcepMessage::Parse(std::span<const uint8_t> data) {
  base::ByteReader reader(data);
  // RFC 8832 §5: every DCEP message starts with a one-byte Message Type.
  if (data.empty()) return base::Fail(DcepError::kEmpty);
  const uint8_t type = reader.U8();
  DcepMessage message;
  if (type == static_cast<uint8_t>(DcepMessageType::kAck)) {
    // RFC 8832 §5.2: the ACK is the type byte alone; later extensions may append, so
    // trailing bytes are ignored rather than rejected.
    message.type_ = DcepMessageType::kAck;
    return message;
  }
  // RFC 8832 §8.2.1: 0x00, 0x01 and 0xff are reserved, everything else unassigned.
  if (type != static_cast<uint8_t>(DcepMessageType::kOpen)) return base::Fail(DcepError::kUnknownMessageType);
  message.type_ = DcepMessageType::kOpen;

  // RFC 8832 §5.1: type(1) channel type(1) priority(2) reliability(4) label len(2) protocol len(2).
  const uint8_t channel_type = reader.U8();
  const uint16_t priority = reader.U16();
  const uint32_t reliability = reader.U32();
  const uint16_t label_length = reader.U16();
  const uint16_t protocol_length = reader.U16();
  if (!reader.ok()) return base::Fail(DcepError::kTruncatedHeader);
  // RFC 8832 §8.2.2: only the registered channel types have defined semantics.
  if (!IsKnownChannelType(channel_type)) return base::Fail(DcepError::kUnknownChannelType);
  // RFC 8832 §5.1: Label and Protocol follow with the lengths given, no padding.
  const auto label = reader.Bytes(label_length);
  if (!reader.ok()) return base::Fail(DcepError::kTruncatedLabel);
  const auto protocol = reader.Bytes(protocol_length);
  if (!reader.ok()) return base::Fail(DcepError::kTruncatedProtocol);

  message.open_.channel_type = static_cast<DataChannelType>(channel_type);
  message.open_.priority = priority;
  // RFC 8832 §5.1: for reliable channels the parameter "MUST be ignored on the receiving side".
  const bool reliable = channel_type == 0x00 || channel_type == 0x80;
  message.open_.reliability_parameter = reliable ? 0 : reliability;
  message.open_.label = AsString(label);
  message.open_.protocol = AsString(protocol);
  return message;
}

base::Result<size_t, DcepError> DcepMessage::SerializeOpen(const DcepOpenFields& open,
                                                           std::span<uint8_t> out) {
  if (open.label.size() > UINT16_MAX) return base::Fail(DcepError::kLabelTooLong);
  if (open.protocol.size() > UINT16_MAX) return base::Fail(DcepError::kProtocolTooLong);
  if (!IsKnownChannelType(static_cast<uint8_t>(open.channel_type))) {
    return base::Fail(DcepError::kUnknownChannelType);
  }
  const bool reliable = open.channel_type == DataChannelType::kReliable ||
                        open.channel_type == DataChannelType::kReliableUnordered;
  base::ByteWriter writer(out);
  writer.U8(static_cast<uint8_t>(DcepMessageType::kOpen));
  writer.U8(static_cast<uint8_t>(open.channel_type));
  writer.U16(open.priority);
  // RFC 8832 §5.1: "MUST be set to 0 on the sending side" for reliable channels.
  writer.U32(reliable ? 0 : open.reliability_parameter);
  writer.U16(static_cast<uint16_t>(open.label.size()));
  writer.U16(static_cast<uint16_t>(open.protocol.size()));
  writer.Bytes(AsBytes(open.label));
  writer.Bytes(AsBytes(open.protocol));
  if (!writer.ok()) return base::Fail(DcepError::kBufferTooSmall);
  return writer.size();
}

base::Result<size_t, DcepError> DcepMessage::SerializeAck(std::span<uint8_t> out) {
  if (out.empty()) return base::Fail(DcepError::kBufferTooSmall);
  out[0] = static_cast<uint8_t>(DcepMessageType::kAck);
  return kAckSize;
}

}  // namespace cascade::sctp
