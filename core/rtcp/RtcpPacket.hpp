#pragma once
// One RTCP packet inside a compound datagram (RFC 3550 §6.4.1 common header), as yielded by
// CompoundReader, plus the helpers every builder uses to write the common header.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"

namespace cascade::rtcp {

// Packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2).
inline constexpr uint8_t kPtSr = 200;
inline constexpr uint8_t kPtRr = 201;
inline constexpr uint8_t kPtSdes = 202;
inline constexpr uint8_t kPtBye = 203;
inline constexpr uint8_t kPtApp = 204;
inline constexpr uint8_t kPtRtpfb = 205;
inline constexpr uint8_t kPtPsfb = 206;
inline constexpr uint8_t kPtXr = 207;
// Feedback message types (FMT).
inline constexpr uint8_t kFmtNack = 1;  // RFC 4585 §6.2.1
inline constexpr uint8_t kFmtTcc = 15;  // draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1
inline constexpr uint8_t kFmtPli = 1;   // RFC 4585 §6.3.1
inline constexpr uint8_t kFmtFir = 4;   // RFC 5104 §4.3.1
inline constexpr uint8_t kFmtAfb = 15;  // RFC 4585 §6.4, carries REMB

inline constexpr size_t kHeaderSize = 4;
inline constexpr size_t kMaxCount = 31;  // 5-bit RC/SC/FMT field

// What a packet is, for dispatch and for counting the ones nobody handles.
enum class PacketKind : uint8_t {
  kSenderReport,
  kReceiverReport,
  kSdes,
  kBye,
  kApp,
  kNack,
  kTransportCc,
  kOtherRtpfb,
  kPli,
  kFir,
  kRemb,
  kOtherPsfb,
  kXr,
  kUnknown,
  kCount
};
const char* ToString(PacketKind kind);

struct RtcpPacket {
  uint8_t count = 0;  // the 5 bits after P: RC, SC, FMT or APP subtype
  uint8_t type = 0;
  bool padding = false;
  std::span<const uint8_t> bytes;    // the whole packet as received: header, body, padding
  std::span<const uint8_t> payload;  // the body after the 4-byte header, padding removed

  PacketKind Kind() const;
};

// Builders: BeginPacket writes a header with a zero length and returns where the packet
// starts; FinishPacket pads the body (zero bytes, or RFC 3550 padding with the P bit when
// `padding_bit` is set) to a 32-bit boundary, patches the length and returns the size.
size_t BeginPacket(base::ByteWriter& out, uint8_t count, uint8_t type);
base::Result<size_t, RtcpError> FinishPacket(base::ByteWriter& out, size_t start, bool padding_bit = false);

}  // namespace cascade::rtcp
