#pragma once
// WebRTC Data Channel Establishment Protocol messages (RFC 8832 §5): a zero-copy view
// over an SCTP user message carried with PPID 50, and serializers for the two messages.
// This parses network input: every length is checked against the buffer before use.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/Result.hpp"

namespace cascade::sctp {

enum class DcepError : uint8_t {
  kEmpty,               // zero-length message: no Message Type byte
  kUnknownMessageType,  // not DATA_CHANNEL_OPEN (0x03) or DATA_CHANNEL_ACK (0x02)
  kTruncatedHeader,     // DATA_CHANNEL_OPEN shorter than its 12-byte fixed part
  kTruncatedLabel,      // Label Length runs past the end of the message
  kTruncatedProtocol,   // Protocol Length runs past the end of the message
  kUnknownChannelType,  // Channel Type not registered (RFC 8832 §8.2.2)
  kLabelTooLong,        // serializing: label does not fit the 16-bit length field
  kProtocolTooLong,     // serializing: protocol does not fit the 16-bit length field
  kBufferTooSmall,      // serializing: output buffer too small
  kCount
};
const char* ToString(DcepError error);

// RFC 8832 §8.2.1.
enum class DcepMessageType : uint8_t { kAck = 0x02, kOpen = 0x03 };

// RFC 8832 §5.1 / §8.2.2: the high bit selects unordered delivery.
enum class DataChannelType : uint8_t {
  kReliable = 0x00,
  kPartialReliableRexmit = 0x01,
  kPartialReliableTimed = 0x02,
  kReliableUnordered = 0x80,
  kPartialReliableRexmitUnordered = 0x81,
  kPartialReliableTimedUnordered = 0x82,
};
bool IsKnownChannelType(uint8_t value);
inline bool IsOrdered(DataChannelType type) { return (static_cast<uint8_t>(type) & 0x80) == 0; }

// The fields of a DATA_CHANNEL_OPEN; label and protocol point into the caller's data.
struct DcepOpenFields {
  DataChannelType channel_type = DataChannelType::kReliable;
  uint16_t priority = 256;  // RFC 8832 §6.4 "normal" (W3C RTCPriorityType mapping)
  // Retransmissions (rexmit) or lifetime in ms (timed); RFC 8832 §5.1: 0 and ignored when reliable.
  uint32_t reliability_parameter = 0;
  std::string_view label;
  std::string_view protocol;
};

class DcepMessage {
 public:
  static constexpr size_t kOpenHeaderSize = 12;  // RFC 8832 §5.1 fixed part
  static constexpr size_t kAckSize = 1;          // RFC 8832 §5.2

  // A view into `data`, which must outlive it.
  static base::Result<DcepMessage, DcepError> Parse(std::span<const uint8_t> data);

  static size_t OpenSize(const DcepOpenFields& open) {
    return kOpenHeaderSize + open.label.size() + open.protocol.size();
  }
  // Returns the number of bytes written.
  static base::Result<size_t, DcepError> SerializeOpen(const DcepOpenFields& open, std::span<uint8_t> out);
  static base::Result<size_t, DcepError> SerializeAck(std::span<uint8_t> out);

  DcepMessageType type() const { return type_; }
  // Valid only for kOpen.
  const DcepOpenFields& open() const { return open_; }

 private:
  DcepMessage() = default;

  DcepMessageType type_ = DcepMessageType::kAck;
  DcepOpenFields open_;
};

}  // namespace cascade::sctp
