#pragma once
// Synthetic media for the load generator: RTP packets that look like a browser's to the
// edge (valid VP8 payload descriptors and headers, Opus-sized audio), without an encoder.
#include <cstddef>
#include <cstdint>
#include <span>

namespace cascade::loadgen {

// Largest RTP packet we write, header included (what browsers keep under for SRTP + UDP).
inline constexpr size_t kMaxRtpPacket = 1200;

// Writes the 12-byte RTP fixed header (RFC 3550 §5.1) and returns its size.
size_t WriteRtpHeader(std::span<uint8_t> out, uint8_t payload_type, bool marker, uint16_t sequence_number,
                      uint32_t timestamp, uint32_t ssrc);

// Cuts frames of a given size into RTP packets carrying VP8 (RFC 7741).
class Vp8Packetizer {
 public:
  static constexpr uint32_t kTimestampPerFrame = 3000;  // 90 kHz / 30 fps

  Vp8Packetizer(uint32_t ssrc, uint8_t payload_type) : ssrc_(ssrc), payload_type_(payload_type) {}

  // Starts the next frame; its packets then come from WritePacket until HasPacket is false.
  void StartFrame(bool keyframe, size_t frame_bytes);
  bool HasPacket() const { return offset_ < frame_bytes_; }
  // One packet of the current frame (at most kMaxRtpPacket bytes, `out` must hold that many);
  // returns its size.
  size_t WritePacket(std::span<uint8_t> out);

  uint16_t sequence_number() const { return sequence_number_; }
  uint64_t frames() const { return frames_; }
  uint64_t keyframes() const { return keyframes_; }

 private:
  uint32_t ssrc_;
  uint8_t payload_type_;
  uint16_t sequence_number_ = 1;
  uint32_t timestamp_ = 0;
  size_t frame_bytes_ = 0;
  size_t offset_ = 0;
  bool keyframe_ = false;
  uint64_t frames_ = 0;
  uint64_t keyframes_ = 0;
};

// Opus-sized audio: one 20 ms packet of `payload_bytes` per call.
class OpusSource {
 public:
  static constexpr uint32_t kTimestampPerPacket = 960;  // 48 kHz * 20 ms

  OpusSource(uint32_t ssrc, uint8_t payload_type, size_t payload_bytes = 100)
      : ssrc_(ssrc), payload_type_(payload_type), payload_bytes_(payload_bytes) {}
  size_t WritePacket(std::span<uint8_t> out);

 private:
  uint32_t ssrc_;
  uint8_t payload_type_;
  size_t payload_bytes_;
  uint16_t sequence_number_ = 1;
  uint32_t timestamp_ = 0;
};

}  // namespace cascade::loadgen
