#include "core/rtcp/NtpTime.hpp"

#include <doctest/doctest.h>

#include "core/rtcp/ReportBlock.hpp"

using namespace cascade::rtcp;

TEST_CASE("NtpTime converts Unix microseconds both ways") {
  CHECK(NtpTime::FromUnixMicros(0) == (2208988800ull << 32));
  CHECK(NtpTime::FromUnixMicros(500000) == ((2208988800ull << 32) | 0x80000000u));
  CHECK(NtpTime::ToUnixMicros(2208988800ull << 32) == 0);
  const int64_t samples[] = {
      -1, -1'500'000, 0, 1, 999999, 1'000'000, 1'700'000'000'123'456, 2'000'000'000'000'001};
  for (int64_t us : samples) {
    CAPTURE(us);
    CHECK(NtpTime::ToUnixMicros(NtpTime::FromUnixMicros(us)) == us);
  }
  // aiortc's SR NTP timestamp: 3729147739 s since 1900 is 2018-03-04 in Unix time.
  CHECK(NtpTime::ToUnixMicros(16016567581311369308ull) / 1'000'000 == 1520158939LL);
}

TEST_CASE("NtpTime middle 32 bits and RTT from LSR/DLSR (RFC 3550 6.4.1)") {
  uint64_t ntp = 0x0102030405060708ull;
  CHECK(NtpTime::Mid32(ntp) == 0x03040506u);
  // RFC 3550 §6.4.1 example: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s),
  // DLSR = 0x0005:4000 (5.250 s): RTT = 6.125 s.
  auto rtt = NtpTime::RttMicros(0xb7108000u, 0xb7052000u, 0x00054000u);
  REQUIRE(rtt.has_value());
  CHECK(*rtt == 6'125'000);
  CHECK_FALSE(NtpTime::RttMicros(0xb7108000u, 0, 0).has_value());  // no SR received yet
  CHECK(NtpTime::RttMicros(0xb7000000u, 0xb7052000u, 0) == 0);     // clock skew: never negative
  // Wrap of the 16.16 clock between LSR and arrival.
  CHECK(NtpTime::RttMicros(0x00010000u, 0xffff0000u, 0x00010000u) == 1'000'000);
  CHECK(NtpTime::MicrosToQ16(5'250'000) == 0x00054000u);
  CHECK(NtpTime::Q16ToMicros(0x00054000u) == 5'250'000);
}
