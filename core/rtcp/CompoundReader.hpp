#pragma once
// Walks the packets of a compound RTCP datagram (RFC 3550 §6.1) without allocating, applying
// the validity checks of RFC 3550 §A.2 to each common header. Reduced-size RTCP (RFC 5506)
// is accepted: the first packet need not be an SR or RR. Packets of unknown type are yielded
// like any other; the caller dispatches on RtcpPacket::Kind() and counts what it skips.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class CompoundReader {
 public:
  explicit CompoundReader(std::span<const uint8_t> datagram) : data_(datagram) {}

  // Fills `out` with the next packet. Returns false at the end of the datagram or on the
  // first invalid header, after which failed() is true and error() names the check.
  bool Next(RtcpPacket& out);

  bool failed() const { return failed_; }
  RtcpError error() const { return error_; }
  size_t offset() const { return offset_; }

  // Checks every header of the datagram; RFC 3550 §A.2 asks to drop the whole compound when
  // any check fails, so callers validate first and then iterate. Returns the packet count.
  static base::Result<size_t, RtcpError> Validate(std::span<const uint8_t> datagram);

 private:
  bool Fail(RtcpError error) {
    failed_ = true;
    error_ = error;
    return false;
  }

  std::span<const uint8_t> data_;
  size_t offset_ = 0;
  bool failed_ = false;
  RtcpError error_ = RtcpError::kCount;
};

}  // namespace cascade::rtcp
