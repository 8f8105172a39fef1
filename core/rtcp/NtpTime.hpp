#pragma once
// NTP timestamps as carried by RTCP (RFC 3550 §4): 32.32 fixed point seconds since 1900,
// the "middle 32 bits" (16.16) used by LSR/DLSR, and the round-trip time an SR sender
// computes from a report block (RFC 3550 §6.4.1).
#include <cstdint>
#include <optional>

namespace cascade::rtcp {

class NtpTime {
 public:
  // Seconds from 1900-01-01 (NTP era 0) to 1970-01-01.
  static constexpr int64_t kUnixEpochOffsetSeconds = 2208988800LL;

  // Unix time in microseconds (within NTP era 0: 1900..2036) to a 64-bit NTP timestamp, rounded.
  static uint64_t FromUnixMicros(int64_t unix_us);
  // Inverse of FromUnixMicros (exact round trip for whole microseconds).
  static int64_t ToUnixMicros(uint64_t ntp);
  // The middle 32 bits: low 16 bits of the seconds, high 16 bits of the fraction.
  static uint32_t Mid32(uint64_t ntp) { return static_cast<uint32_t>(ntp >> 16); }
  // 16.16 fixed point seconds (DLSR/DLRR, Mid32 differences) to microseconds and back.
  static int64_t Q16ToMicros(uint32_t q16) { return (static_cast<int64_t>(q16) * 1000000 + 32768) >> 16; }
  static uint32_t MicrosToQ16(int64_t us) { return static_cast<uint32_t>((us * 65536 + 500000) / 1000000); }

  // RFC 3550 §6.4.1: RTT = A - LSR - DLSR, with A the report's arrival in Mid32 form. None
  // when the receiver has not seen an SR yet (LSR 0); a negative result (clock jumps) is 0.
  static std::optional<int64_t> RttMicros(uint32_t arrival_mid32, uint32_t last_sr, uint32_t delay_since_sr);
};

}  // namespace cascade::rtcp
