#include "tools/loadgen/SyntheticMedia.hpp"

#include <algorithm>
#include <cstring>

namespace cascade::loadgen {

size_t WriteRtpHeader(std::span<uint8_t> out, uint8_t payload_type, bool marker, uint16_t sequence_number,
                      uint32_t timestamp, uint32_t ssrc) {
  out[0] = 0x80;  // V=2, no padding, no extension, no CSRC
  out[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | (payload_type & 0x7f));
  out[2] = static_cast<uint8_t>(sequence_number >> 8);
  out[3] = static_cast<uint8_t>(sequence_number);
  for (int i = 0; i < 4; ++i) {
    out[4 + i] = static_cast<uint8_t>(timestamp >> (24 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  }
  return 12;
}

void Vp8Packetizer::StartFrame(bool keyframe, size_t frame_bytes) {
  if (frames_ > 0) timestamp_ += kTimestampPerFrame;
  keyframe_ = keyframe;
  frame_bytes_ = std::max<size_t>(frame_bytes, 16);
  offset_ = 0;
  ++frames_;
  if (keyframe) ++keyframes_;
}

size_t Vp8Packetizer::WritePacket(std::span<uint8_t> out) {
  constexpr size_t kDescriptor = 1;
  size_t room = kMaxRtpPacket - 12 - kDescriptor;
  size_t chunk = std::min(room, frame_bytes_ - offset_);
  bool first = offset_ == 0;
  bool last = offset_ + chunk == frame_bytes_;
  size_t n = WriteRtpHeader(out, payload_type_, last, sequence_number_++, timestamp_, ssrc_);
  // RFC 7741 §4.2: X=0, N=0, S=1 on the frame's first packet, PID=0.
  out[n++] = first ? 0x10 : 0x00;
  uint8_t* payload = out.data() + n;
  std::memset(payload, 0x5a, chunk);
  if (first) {
    // RFC 7741 §4.3 / RFC 6386 §9.1: frame tag; P (bit 0) is 0 for a keyframe, show_frame set.
    payload[0] = keyframe_ ? 0x10 : 0x11;
    payload[1] = 0x00;
    payload[2] = 0x01;
    if (keyframe_) {
      // Start code and 640x360.
      const uint8_t header[] = {0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01};
      std::memcpy(payload + 3, header, sizeof(header));
    }
  }
  offset_ += chunk;
  return n + chunk;
}

size_t OpusSource::WritePacket(std::span<uint8_t> out) {
  size_t n = WriteRtpHeader(out, payload_type_, false, sequence_number_++, timestamp_, ssrc_);
  timestamp_ += kTimestampPerPacket;
  out[n] = 0xfc;  // TOC: CELT-only fullband 20 ms, one frame (RFC 6716 §3.1)
  std::memset(out.data() + n + 1, 0xa5, payload_bytes_ - 1);
  return n + payload_bytes_;
}

}  // namespace cascade::loadgen
