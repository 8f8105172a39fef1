#pragma once
// RFC 3550 §6.4.1 reception report block (24 bytes), shared by SR and RR.
#include <cstdint>

#include "core/base/Bytes.hpp"

namespace cascade::rtcp {

struct ReportBlock {
  static constexpr size_t kSize = 24;
  // Cumulative lost is a signed 24-bit field (RFC 3550 §6.4.1, §A.3 clamps to it).
  static constexpr int32_t kMaxCumulativeLost = 0x7fffff;
  static constexpr int32_t kMinCumulativeLost = -0x800000;

  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;
  int32_t cumulative_lost = 0;
  uint32_t extended_highest_seq = 0;
  uint32_t jitter = 0;
  uint32_t last_sr = 0;         // LSR: middle 32 bits of the last SR's NTP timestamp
  uint32_t delay_since_sr = 0;  // DLSR, in 1/65536 s

  // `p` must hold kSize bytes (callers check the packet length first).
  static ReportBlock Read(const uint8_t* p);
  // Cumulative lost is clamped to the 24-bit signed range.
  void Write(base::ByteWriter& out) const;

  bool operator==(const ReportBlock&) const = default;
};

}  // namespace cascade::rtcp
