#include "core/rtp/HeaderExtensions.hpp"

#include <array>
#include <utility>

#include "core/base/Bytes.hpp"

namespace cascade::rtp {

namespace {

constexpr std::array<std::pair<ExtensionUri, std::string_view>, 9> kUris{{
    {ExtensionUri::kMid, "urn:ietf:params:rtp-hdrext:sdes:mid"},
    {ExtensionUri::kRid, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"},
    {ExtensionUri::kRepairedRid, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"},
    {ExtensionUri::kAbsSendTime, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"},
    {ExtensionUri::kTransportWideCc,
     "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"},
    {ExtensionUri::kAudioLevel, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"},
    {ExtensionUri::kVideoOrientation, "urn:3gpp:video-orientation"},
    {ExtensionUri::kAbsCaptureTime, "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"},
    {ExtensionUri::kDependencyDescriptor,
     "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension"},
}};

}  // namespace

ExtensionUri ExtensionUriFromString(std::string_view uri) {
  for (const auto& [kind, text] : kUris) {
    if (text == uri) return kind;
  }
  return ExtensionUri::kUnknown;
}

std::string_view ToUri(ExtensionUri uri) {
  for (const auto& [kind, text] : kUris) {
    if (kind == uri) return text;
  }
  return {};
}

const char* ToString(ExtensionUri uri) {
  switch (uri) {
    case ExtensionUri::kUnknown: return "unknown";
    case ExtensionUri::kMid: return "mid";
    case ExtensionUri::kRid: return "rid";
    case ExtensionUri::kRepairedRid: return "repaired_rid";
    case ExtensionUri::kAbsSendTime: return "abs_send_time";
    case ExtensionUri::kTransportWideCc: return "transport_wide_cc";
    case ExtensionUri::kAudioLevel: return "audio_level";
    case ExtensionUri::kVideoOrientation: return "video_orientation";
    case ExtensionUri::kAbsCaptureTime: return "abs_capture_time";
    case ExtensionUri::kDependencyDescriptor: return "dependency_descriptor";
    case ExtensionUri::kCount: break;
  }
  return "unknown";
}

std::optional<std::string_view> ReadSdesString(std::span<const uint8_t> value) {
  if (value.empty()) return std::nullopt;
  // Some senders pad the value with NULs to a word boundary; they are not part of the id.
  size_t length = value.size();
  while (length > 0 && value[length - 1] == 0) --length;
  if (length == 0) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(value.data()), length);
}

std::optional<uint32_t> ReadAbsSendTime(std::span<const uint8_t> value) {
  if (value.size() != 3) return std::nullopt;
  return base::LoadBe24(value.data());
}

bool WriteAbsSendTime(std::span<uint8_t> value, uint32_t abs_send_time) {
  if (value.size() != 3) return false;
  base::StoreBe24(value.data(), abs_send_time & 0xffffff);
  return true;
}

uint32_t AbsSendTimeFromUs(uint64_t time_us) {
  // 6.18 fixed point: seconds << 18, rounded, keeping the low 24 bits (a 64 s period);
  // reducing modulo 64 s first keeps the shift from overflowing.
  constexpr uint64_t kPeriodUs = 64'000'000;
  return static_cast<uint32_t>((((time_us % kPeriodUs) << 18) + 500'000) / 1'000'000) & 0xffffff;
}

std::optional<uint16_t> ReadTransportSequenceNumber(std::span<const uint8_t> value) {
  // draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: a 16-bit sequence number.
  if (value.size() != 2) return std::nullopt;
  return base::LoadBe16(value.data());
}

bool WriteTransportSequenceNumber(std::span<uint8_t> value, uint16_t sequence_number) {
  if (value.size() != 2) return false;
  base::StoreBe16(value.data(), sequence_number);
  return true;
}

std::optional<AudioLevel> ReadAudioLevel(std::span<const uint8_t> value) {
  // RFC 6464 §3: one byte, V in the top bit and the level in the low 7.
  if (value.size() != 1) return std::nullopt;
  return AudioLevel{(value[0] & 0x80) != 0, static_cast<uint8_t>(value[0] & 0x7f)};
}

bool WriteAudioLevel(std::span<uint8_t> value, AudioLevel level) {
  if (value.size() != 1 || level.level > 127) return false;
  value[0] = static_cast<uint8_t>((level.voice_activity ? 0x80 : 0) | level.level);
  return true;
}

std::optional<VideoOrientation> ReadVideoOrientation(std::span<const uint8_t> value) {
  // 3GPP TS 26.114 §7.4.5: one byte, C (camera), F (flip), R1 R0 (rotation / 90 degrees).
  if (value.size() != 1) return std::nullopt;
  const uint8_t byte = value[0];
  return VideoOrientation{(byte & 0x08) != 0, (byte & 0x04) != 0, static_cast<uint16_t>((byte & 0x03) * 90)};
}

bool WriteVideoOrientation(std::span<uint8_t> value, VideoOrientation orientation) {
  if (value.size() != 1 || orientation.rotation_degrees % 90 != 0 || orientation.rotation_degrees >= 360)
    return false;
  value[0] = static_cast<uint8_t>((orientation.back_camera ? 0x08 : 0) | (orientation.flip ? 0x04 : 0) |
                                  (orientation.rotation_degrees / 90));
  return true;
}

std::optional<AbsCaptureTime> ReadAbsCaptureTime(std::span<const uint8_t> value) {
  if (value.size() != 8 && value.size() != 16) return std::nullopt;
  AbsCaptureTime time;
  time.ntp_timestamp = base::LoadBe64(value.data());
  if (value.size() == 16)
    time.estimated_capture_clock_offset = static_cast<int64_t>(base::LoadBe64(&value[8]));
  return time;
}

bool WriteAbsCaptureTime(std::span<uint8_t> value, const AbsCaptureTime& time) {
  const size_t needed = time.estimated_capture_clock_offset ? 16 : 8;
  if (value.size() != needed) return false;
  base::StoreBe64(value.data(), time.ntp_timestamp);
  if (time.estimated_capture_clock_offset)
    base::StoreBe64(&value[8], static_cast<uint64_t>(*time.estimated_capture_clock_offset));
  return true;
}

}  // namespace cascade::rtp
