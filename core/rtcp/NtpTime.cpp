#include "core/rtcp/NtpTime.hpp"

namespace cascade::rtcp {

uint64_t NtpTime::FromUnixMicros(int64_t unix_us) {
  // Floor division so that times before 1970 (still after 1900) keep a positive fraction.
  int64_t whole = unix_us / 1000000;
  int64_t rest = unix_us % 1000000;
  if (rest < 0) {
    rest += 1000000;
    whole -= 1;
  }
  uint64_t seconds = static_cast<uint64_t>(whole + kUnixEpochOffsetSeconds);
  uint64_t micros = static_cast<uint64_t>(rest);
  uint64_t fraction = ((micros << 32) + 500000) / 1000000;
  return (seconds << 32) + fraction;  // a fraction rounding up to 2^32 carries into seconds
}

int64_t NtpTime::ToUnixMicros(uint64_t ntp) {
  int64_t seconds = static_cast<int64_t>(ntp >> 32) - kUnixEpochOffsetSeconds;
  uint64_t fraction = ntp & 0xffffffffULL;
  int64_t micros = static_cast<int64_t>((fraction * 1000000 + (1ULL << 31)) >> 32);
  return seconds * 1000000 + micros;
}

std::optional<int64_t> NtpTime::RttMicros(uint32_t arrival_mid32, uint32_t last_sr, uint32_t delay_since_sr) {
  if (last_sr == 0) return std::nullopt;
  // Modulo 2^32 arithmetic: Mid32 wraps every 65536 s.
  uint32_t rtt = arrival_mid32 - last_sr - delay_since_sr;
  if (rtt >= 0x80000000u) return 0;  // arrival before LSR + DLSR: clocks disagree
  return Q16ToMicros(rtt);
}

}  // namespace cascade::rtcp
