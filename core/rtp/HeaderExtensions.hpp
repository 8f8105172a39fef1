#pragma once
// The header extensions an SFU reads or rewrites, named by their SDP extmap URI (the id is
// negotiated per session, RFC 8285 §5), and their value codecs. Readers take the element
// value from RtpPacket::FindExtension and return nullopt on a malformed value; writers
// update a value in place (RtpPacket::FindMutableExtension) and return false when its size
// does not match, so a rewrite never moves bytes.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cascade::rtp {

enum class ExtensionUri : uint8_t {
  kUnknown,
  kMid,                   // urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843 §15)
  kRid,                   // urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id (RFC 8852 §3.1)
  kRepairedRid,           // urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id (RFC 8852 §3.2)
  kAbsSendTime,           // http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
  kTransportWideCc,       // draft-holmer-rmcat-transport-wide-cc-extensions-01
  kAudioLevel,            // urn:ietf:params:rtp-hdrext:ssrc-audio-level (RFC 6464)
  kVideoOrientation,      // urn:3gpp:video-orientation (3GPP TS 26.114 §7.4.5)
  kAbsCaptureTime,        // http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time
  kDependencyDescriptor,  // AV1 RTP spec, Appendix A
  kCount,
};

// Exact match on the extmap URI; anything else is kUnknown.
ExtensionUri ExtensionUriFromString(std::string_view uri);
// The extmap URI ("" for kUnknown/kCount).
std::string_view ToUri(ExtensionUri uri);
// Short name for logs and metrics labels.
const char* ToString(ExtensionUri uri);

// MID / RID / repaired-RID: an SDES item carried verbatim (RFC 8852 §3, RFC 8843 §15); an
// empty value is invalid.
std::optional<std::string_view> ReadSdesString(std::span<const uint8_t> value);

// abs-send-time: 24-bit, 6.18 fixed-point seconds (wraps every 64 s).
std::optional<uint32_t> ReadAbsSendTime(std::span<const uint8_t> value);
bool WriteAbsSendTime(std::span<uint8_t> value, uint32_t abs_send_time);
uint32_t AbsSendTimeFromUs(uint64_t time_us);

// transport-wide-cc: a 16-bit transport sequence number, rewritten per outgoing link.
std::optional<uint16_t> ReadTransportSequenceNumber(std::span<const uint8_t> value);
bool WriteTransportSequenceNumber(std::span<uint8_t> value, uint16_t sequence_number);

// RFC 6464 §3: V flag and the level in -dBov (0 loudest, 127 silence).
struct AudioLevel {
  bool voice_activity = false;
  uint8_t level = 127;
};
std::optional<AudioLevel> ReadAudioLevel(std::span<const uint8_t> value);
bool WriteAudioLevel(std::span<uint8_t> value, AudioLevel level);  // level.level < 128

// 3GPP TS 26.114 §7.4.5 (CVO): 0 0 0 0 C F R1 R0.
struct VideoOrientation {
  bool back_camera = false;
  bool flip = false;
  uint16_t rotation_degrees = 0;  // 0, 90, 180 or 270
};
std::optional<VideoOrientation> ReadVideoOrientation(std::span<const uint8_t> value);
bool WriteVideoOrientation(std::span<uint8_t> value, VideoOrientation orientation);

// abs-capture-time: 64-bit NTP capture timestamp, optionally followed by the sender's
// estimated capture clock offset (signed Q32.32 seconds); 8 or 16 bytes.
struct AbsCaptureTime {
  uint64_t ntp_timestamp = 0;
  std::optional<int64_t> estimated_capture_clock_offset;
};
std::optional<AbsCaptureTime> ReadAbsCaptureTime(std::span<const uint8_t> value);
bool WriteAbsCaptureTime(std::span<uint8_t> value, const AbsCaptureTime& time);

}  // namespace cascade::rtp
