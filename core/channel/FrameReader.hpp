#pragma once
// Splits a byte stream into size-prefixed frames: a 4-byte little-endian length followed by
// that many bytes, which is exactly what FlatBuffers' FinishSizePrefixed writes. Knows no
// schema. A frame above the limit is an error: the connection carrying it is closed.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cascade::channel {

enum class FrameError : uint8_t { kNone, kTooLarge, kEmpty, kCount };
const char* ToString(FrameError error);

class FrameReader {
 public:
  static constexpr size_t kPrefixBytes = 4;
  explicit FrameReader(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  // Appends stream bytes and calls on_frame(std::span<const uint8_t> frame_with_prefix)
  // for every complete frame. Returns the first error; after an error nothing more is read.
  template <typename OnFrame>
  FrameError Feed(std::span<const uint8_t> data, OnFrame&& on_frame) {
    if (error_ != FrameError::kNone) return error_;
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    size_t offset = 0;
    while (buffer_.size() - offset >= kPrefixBytes) {
      const uint8_t* p = buffer_.data() + offset;
      uint32_t length = static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
                        (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
      if (length == 0) return error_ = FrameError::kEmpty;
      if (length > max_frame_bytes_) return error_ = FrameError::kTooLarge;
      if (buffer_.size() - offset - kPrefixBytes < length) break;
      on_frame(std::span<const uint8_t>(p, kPrefixBytes + length));
      offset += kPrefixBytes + length;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(offset));
    return FrameError::kNone;
  }

  size_t buffered() const { return buffer_.size(); }

 private:
  size_t max_frame_bytes_;
  std::vector<uint8_t> buffer_;
  FrameError error_ = FrameError::kNone;
};

}  // namespace cascade::channel
