#include "core/ice/IceTcpFramer.hpp"

#include <algorithm>
#include <cstring>

#include "core/base/Bytes.hpp"
#include "core/ice/PacketDemux.hpp"

namespace cascade::ice {

const char* ToString(IceTcpFramerError error) {
  switch (error) {
    case IceTcpFramerError::kFrameTooLarge: return "frame_too_large";
    case IceTcpFramerError::kGarbage: return "garbage";
    case IceTcpFramerError::kFailed: return "failed";
    case IceTcpFramerError::kBufferTooSmall: return "buffer_too_small";
    case IceTcpFramerError::kPayloadTooLarge: return "payload_too_large";
    case IceTcpFramerError::kCount: break;
  }
  return "unknown";
}

IceTcpFramer::IceTcpFramer(Listener* listener, size_t max_frame_size, bool check_first_byte)
    : listener_(listener),
      max_frame_size_(std::min<size_t>(max_frame_size, 0xFFFF)),
      check_first_byte_(check_first_byte),
      buffer_(max_frame_size_) {}

base::Result<size_t, IceTcpFramerError> IceTcpFramer::Break(IceTcpFramerError error) {
  failed_ = true;
  return base::Fail(error);
}

bool IceTcpFramer::FirstByteOk(uint8_t first) const {
  if (!check_first_byte_) return true;
  // RFC 6544 §3 carries STUN and the media protocols; classify by the first byte alone
  // (RTP and RTCP share 128-191, so the second byte is not needed to accept either).
  const uint8_t probe[2] = {first, 0};
  const PacketKind kind = PacketDemux::Classify(probe);
  return kind == PacketKind::kStun || kind == PacketKind::kDtls || kind == PacketKind::kRtp ||
         kind == PacketKind::kRtcp;
}

base::Result<size_t, IceTcpFramerError> IceTcpFramer::Feed(std::span<const uint8_t> chunk) {
  if (failed_) return base::Fail(IceTcpFramerError::kFailed);
  size_t frames = 0;
  size_t pos = 0;
  while (pos < chunk.size()) {
    if (!in_frame_) {
      // Fast path: a whole prefix + frame inside the chunk is delivered without copying.
      if (header_have_ == 0 && chunk.size() - pos >= kLengthPrefixSize) {
        const size_t length = base::LoadBe16(chunk.data() + pos);
        if (length > max_frame_size_) return Break(IceTcpFramerError::kFrameTooLarge);
        if (length == 0) {
          ++empty_frames_;
          pos += kLengthPrefixSize;
          continue;
        }
        if (chunk.size() - pos - kLengthPrefixSize >= length) {
          const auto frame = chunk.subspan(pos + kLengthPrefixSize, length);
          if (!FirstByteOk(frame[0])) return Break(IceTcpFramerError::kGarbage);
          pos += kLengthPrefixSize + length;
          ++frames;
          listener_->OnIceTcpFramerFrame(this, frame);
          continue;
        }
      }
      // Slow path: collect the 2-byte prefix, possibly across chunks.
      header_[header_have_++] = chunk[pos++];
      if (header_have_ < kLengthPrefixSize) continue;
      header_have_ = 0;
      frame_size_ = base::LoadBe16(header_);
      if (frame_size_ > max_frame_size_) return Break(IceTcpFramerError::kFrameTooLarge);
      if (frame_size_ == 0) {
        ++empty_frames_;
        continue;
      }
      in_frame_ = true;
      have_ = 0;
      continue;
    }
    // Assembling a split frame in buffer_.
    const size_t take = std::min(frame_size_ - have_, chunk.size() - pos);
    if (have_ == 0 && !FirstByteOk(chunk[pos])) return Break(IceTcpFramerError::kGarbage);
    std::memcpy(buffer_.data() + have_, chunk.data() + pos, take);
    have_ += take;
    pos += take;
    if (have_ == frame_size_) {
      in_frame_ = false;
      have_ = 0;
      ++frames;
      listener_->OnIceTcpFramerFrame(this, std::span<const uint8_t>(buffer_.data(), frame_size_));
    }
  }
  return frames;
}

base::Result<size_t, IceTcpFramerError> IceTcpFramer::Encode(std::span<const uint8_t> frame,
                                                             std::span<uint8_t> out) {
  if (frame.size() > 0xFFFF) return base::Fail(IceTcpFramerError::kPayloadTooLarge);
  if (out.size() < kLengthPrefixSize + frame.size()) return base::Fail(IceTcpFramerError::kBufferTooSmall);
  base::StoreBe16(out.data(), static_cast<uint16_t>(frame.size()));
  if (!frame.empty()) std::memcpy(out.data() + kLengthPrefixSize, frame.data(), frame.size());
  return kLengthPrefixSize + frame.size();
}

}  // namespace cascade::ice
