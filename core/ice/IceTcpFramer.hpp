#pragma once
// RFC 4571 framing as used by ICE-TCP (RFC 6544 §3): every STUN, DTLS, RTP or RTCP packet on a
// TCP connection is preceded by its 16-bit big-endian length.
//
// The decoder is fed whatever chunks the socket returns and hands each whole frame to its
// listener: frames lying entirely inside one chunk are passed as views into that chunk (no
// copy); a frame split across chunks is assembled in a buffer of max_frame_size bytes
// allocated once at construction. A frame longer than that, or (optionally) one whose first
// byte is no packet kind of RFC 7983, breaks the stream: the framing is lost for good, so the
// framer stays failed and the caller closes the connection.
#include <cstdint>
#include <span>
#include <vector>

#include "core/base/Result.hpp"

namespace cascade::ice {

enum class IceTcpFramerError : uint8_t {
  kFrameTooLarge,    // announced length above max_frame_size
  kGarbage,          // first byte of a frame is not STUN/DTLS/RTP/RTCP (RFC 7983 §7)
  kFailed,           // fed again after an earlier error
  kBufferTooSmall,   // Encode: output too small
  kPayloadTooLarge,  // Encode: frame longer than 65535
  kCount
};

const char* ToString(IceTcpFramerError error);

class IceTcpFramer {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // `frame` is valid only during the call.
    virtual void OnIceTcpFramerFrame(IceTcpFramer* framer, std::span<const uint8_t> frame) = 0;
  };

  static constexpr size_t kLengthPrefixSize = 2;

  // `listener` is not owned and must outlive the framer. `max_frame_size` at most 65535.
  IceTcpFramer(Listener* listener, size_t max_frame_size, bool check_first_byte = true);

  // Returns the number of frames delivered from this chunk, or the error that broke the stream
  // (frames completed before the error in the same chunk were delivered).
  base::Result<size_t, IceTcpFramerError> Feed(std::span<const uint8_t> chunk);

  bool failed() const { return failed_; }
  // Bytes of an incomplete frame (or length prefix) held between Feed calls.
  size_t pending() const { return header_have_ + have_; }
  // Zero-length frames carry nothing for ICE and are skipped; counted for diagnostics.
  uint64_t empty_frames() const { return empty_frames_; }

  // Writes the 2-byte length and the frame into `out`; returns the bytes written.
  static base::Result<size_t, IceTcpFramerError> Encode(std::span<const uint8_t> frame,
                                                        std::span<uint8_t> out);

 private:
  base::Result<size_t, IceTcpFramerError> Break(IceTcpFramerError error);
  bool FirstByteOk(uint8_t first) const;

  Listener* listener_;  // not owned
  size_t max_frame_size_;
  bool check_first_byte_;
  std::vector<uint8_t> buffer_;  // max_frame_size_ bytes, allocated once
  uint8_t header_[kLengthPrefixSize] = {};
  size_t header_have_ = 0;  // bytes of the length prefix received
  size_t frame_size_ = 0;   // announced length of the frame being assembled
  size_t have_ = 0;         // bytes of it in buffer_
  bool in_frame_ = false;   // the length prefix is complete and the frame is being assembled
  bool failed_ = false;
  uint64_t empty_frames_ = 0;
};

}  // namespace cascade::ice
