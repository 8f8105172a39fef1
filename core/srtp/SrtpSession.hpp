#pragma once
// SRTP/SRTCP protection for one peer (RFC 3711, RFC 7714) over libsrtp 2.5.
//
// A session owns two libsrtp contexts built from DTLS-SRTP key material: an outbound one
// keyed with our write key and an inbound one keyed with the peer's. Both use wildcard
// SSRC policies (ssrc_any_outbound / ssrc_any_inbound), so every new SSRC works without
// registering it; libsrtp clones a stream on the first packet of an SSRC (an allocation per
// new SSRC, never per packet).
//
// Packets are transformed in place in the caller's buffer. Protect grows the packet by at
// most kMaxRtpOverhead / kMaxRtcpOverhead bytes, so the caller's buffer must have that much
// room after the packet; Protect checks and fails with kBufferTooSmall otherwise. (libsrtp's
// own SRTP_MAX_TRAILER_LEN also counts a 128-byte MKI, which we never configure.)
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/base/Result.hpp"
#include "core/srtp/SrtpKeyMaterial.hpp"
#include "core/srtp/SrtpLibrary.hpp"

struct srtp_ctx_t_;  // libsrtp's srtp_t is `struct srtp_ctx_t_*`

namespace cascade::srtp {

enum class SrtpError : uint8_t {
  kBadParam,        // libsrtp rejected the packet's header or a parameter
  kTooShort,        // shorter than the RTP/RTCP header plus the authentication tag
  kBufferTooSmall,  // no room for the trailer after the packet (a caller bug)
  kAuthFail,        // authentication tag mismatch: tampered, or the wrong keys
  kReplay,          // index already seen inside the replay window (RFC 3711 §3.3.2)
  kReplayOld,       // index older than the replay window
  kOther,           // any other libsrtp status (cipher failure, key expired, ...)
  kCount
};

const char* ToString(SrtpError error);

class SrtpSession {
 public:
  // RTP: the authentication tag (10 bytes for AES_CM_128_HMAC_SHA1_80, 16 for AEAD_AES_128_GCM).
  static constexpr size_t kMaxRtpOverhead = 16;
  // RTCP: the 4-byte E-flag+SRTCP index (RFC 3711 §3.4) plus the tag.
  static constexpr size_t kMaxRtcpOverhead = 4 + 16;

  struct Options {
    // Replay window in packets (RFC 3711 §3.3.2). 0 keeps libsrtp's default of 128;
    // otherwise 64..32767.
    uint32_t replay_window = 0;
    // Lets the same RTP packet be protected twice (a NACK retransmission without RTX).
    // Safe only when the payload is identical, which a retransmission buffer guarantees.
    bool allow_repeat_tx = true;
  };

  // Control path: creates both contexts. Fails with kBadParam for an invalid window or
  // key material libsrtp rejects.
  static base::Result<std::unique_ptr<SrtpSession>, SrtpError> Create(const SrtpKeyMaterial& keys,
                                                                      SrtpRole role, const Options& options);
  static base::Result<std::unique_ptr<SrtpSession>, SrtpError> Create(const SrtpKeyMaterial& keys,
                                                                      SrtpRole role) {
    return Create(keys, role, Options{});
  }
  // For test vectors and links keyed out of band: explicit send and receive master keys
  // (key followed by salt, MasterKeyLength()+MasterSaltLength() bytes each).
  static base::Result<std::unique_ptr<SrtpSession>, SrtpError> CreateWithMasterKeys(
      SrtpProfile profile, std::span<const uint8_t> send_key_and_salt,
      std::span<const uint8_t> receive_key_and_salt, const Options& options);

  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  SrtpProfile profile() const { return profile_; }

  // Each takes the buffer holding the packet at its start and the packet's length, and
  // returns the new length. Protect needs buffer.size() >= length + the overhead above.
  base::Result<size_t, SrtpError> ProtectRtp(std::span<uint8_t> buffer, size_t length);
  base::Result<size_t, SrtpError> UnprotectRtp(std::span<uint8_t> buffer, size_t length);
  base::Result<size_t, SrtpError> ProtectRtcp(std::span<uint8_t> buffer, size_t length);
  base::Result<size_t, SrtpError> UnprotectRtcp(std::span<uint8_t> buffer, size_t length);

 private:
  SrtpSession(SrtpProfile profile, srtp_ctx_t_* outbound, srtp_ctx_t_* inbound)
      : profile_(profile), outbound_(outbound), inbound_(inbound) {}

  SrtpLibrary library_;  // keeps libsrtp initialised while the contexts live
  SrtpProfile profile_;
  srtp_ctx_t_* outbound_;  // allocated by srtp_create, freed by srtp_dealloc
  srtp_ctx_t_* inbound_;
};

}  // namespace cascade::srtp
