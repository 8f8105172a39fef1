// Fuzzes SRTP/SRTCP unprotect (libsrtp's parsers of network input) for both profiles.
// Input: one mode byte (bit 0: GCM, bit 1: RTCP), then the packet. Invariants: never
// crashes, and a packet that authenticates shrinks by exactly the trailer.
// (Lives with the dtls fuzzers: tests/fuzz/meson.build lists no srtp folder.)
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/srtp/SrtpSession.hpp"

namespace {
using namespace cascade::srtp;

std::unique_ptr<SrtpSession> Make(SrtpProfile profile) {
  std::array<uint8_t, 30> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
  const size_t len = MasterKeyLength(profile) + MasterSaltLength(profile);
  auto session = SrtpSession::CreateWithMasterKeys(profile, {key.data(), len}, {key.data(), len}, {});
  if (!session.ok()) __builtin_trap();
  return std::move(*session);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto cm = Make(SrtpProfile::kAes128CmSha1_80);
  static auto gcm = Make(SrtpProfile::kAeadAes128Gcm);
  static std::vector<uint8_t> buffer(70000);
  if (size < 1 || size - 1 > buffer.size() - 64) return 0;
  const bool use_gcm = (data[0] & 1) != 0;
  const bool rtcp = (data[0] & 2) != 0;
  SrtpSession& session = use_gcm ? *gcm : *cm;
  const size_t length = size - 1;
  if (length > 0) std::memcpy(buffer.data(), data + 1, length);
  auto result = rtcp ? session.UnprotectRtcp(buffer, length) : session.UnprotectRtp(buffer, length);
  if (result.ok()) {
    const size_t tag = use_gcm ? 16 : 10;
    if (*result != length - tag - (rtcp ? 4 : 0)) __builtin_trap();
  }
  // Protect must accept anything with a header and room for the trailer, or fail typed.
  auto again = rtcp ? session.ProtectRtcp(buffer, length) : session.ProtectRtp(buffer, length);
  if (again.ok() && *again > length + (rtcp ? SrtpSession::kMaxRtcpOverhead : SrtpSession::kMaxRtpOverhead)) {
    __builtin_trap();
  }
  return 0;
}
