#include "core/srtp/SrtpSession.hpp"

#include <srtp2/srtp.h>

#include <array>
#include <cstring>

namespace cascade::srtp {
namespace {

using base::Fail;
using base::Result;

// RFC 3550 §5.1: fixed RTP header; RFC 3550 §6.4.1: RTCP header up to the sender SSRC.
constexpr size_t kRtpHeaderSize = 12;
constexpr size_t kRtcpHeaderSize = 8;
constexpr size_t kSrtcpIndexSize = 4;  // RFC 3711 §3.4: E flag + 31-bit SRTCP index
// A UDP payload is at most 65,535 bytes; anything longer is a caller error (and would not fit
// libsrtp's int length).
constexpr size_t kMaxPacketSize = 65535;

size_t TagLength(SrtpProfile profile) {
  // RFC 5764 §4.1.2: 80-bit HMAC-SHA1 tag; RFC 7714 §7.1: 16-octet GCM tag.
  return profile == SrtpProfile::kAeadAes128Gcm ? 16 : 10;
}

srtp_profile_t ToLibsrtp(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? srtp_profile_aead_aes_128_gcm
                                                : srtp_profile_aes128_cm_sha1_80;
}

SrtpError FromStatus(srtp_err_status_t status) {
  switch (status) {
    case srtp_err_status_auth_fail: return SrtpError::kAuthFail;
    case srtp_err_status_replay_fail: return SrtpError::kReplay;
    case srtp_err_status_replay_old: return SrtpError::kReplayOld;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err: return SrtpError::kBadParam;
    default: return SrtpError::kOther;
  }
}

// One direction: a wildcard-SSRC policy keyed with `key_and_salt`.
Result<srtp_t, SrtpError> CreateContext(SrtpProfile profile, srtp_ssrc_type_t direction,
                                        std::span<const uint8_t> key_and_salt,
                                        const SrtpSession::Options& options) {
  std::array<uint8_t, SrtpKeyMaterial::kMaxKeyLength + SrtpKeyMaterial::kMaxSaltLength> key{};
  if (key_and_salt.size() != MasterKeyLength(profile) + MasterSaltLength(profile))
    return Fail(SrtpError::kBadParam);
  if (options.replay_window != 0 && (options.replay_window < 64 || options.replay_window > 0x7fff)) {
    return Fail(SrtpError::kBadParam);
  }
  std::memcpy(key.data(), key_and_salt.data(), key_and_salt.size());

  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  if (srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, ToLibsrtp(profile)) != srtp_err_status_ok ||
      srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, ToLibsrtp(profile)) != srtp_err_status_ok) {
    return Fail(SrtpError::kBadParam);
  }
  policy.ssrc.type = direction;
  policy.ssrc.value = 0;
  policy.key = key.data();
  policy.window_size = options.replay_window;
  policy.allow_repeat_tx = options.allow_repeat_tx ? 1 : 0;
  policy.next = nullptr;

  srtp_t ctx = nullptr;
  srtp_err_status_t status = srtp_create(&ctx, &policy);
  // libsrtp copied the key into its own key schedule; wipe our stack copy.
  std::memset(key.data(), 0, key.size());
  if (status != srtp_err_status_ok) return Fail(FromStatus(status));
  return ctx;
}

}  // namespace

const char* ToString(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::kAes128CmSha1_80: return "SRTP_AES128_CM_SHA1_80";
    case SrtpProfile::kAeadAes128Gcm: return "SRTP_AEAD_AES_128_GCM";
  }
  return "unknown";
}

const char* ToString(SrtpError error) {
  switch (error) {
    case SrtpError::kBadParam: return "bad_param";
    case SrtpError::kTooShort: return "too_short";
    case SrtpError::kBufferTooSmall: return "buffer_too_small";
    case SrtpError::kAuthFail: return "auth_fail";
    case SrtpError::kReplay: return "replay";
    case SrtpError::kReplayOld: return "replay_old";
    case SrtpError::kOther: return "other";
    case SrtpError::kCount: break;
  }
  return "unknown";
}

Result<std::unique_ptr<SrtpSession>, SrtpError> SrtpSession::CreateWithMasterKeys(
    SrtpProfile profile, std::span<const uint8_t> send_key_and_salt,
    std::span<const uint8_t> receive_key_and_salt, const Options& options) {
  SrtpLibrary library;  // srtp_create needs the crypto kernel up
  auto outbound = CreateContext(profile, ssrc_any_outbound, send_key_and_salt, options);
  if (!outbound) return Fail(outbound.error());
  auto inbound = CreateContext(profile, ssrc_any_inbound, receive_key_and_salt, options);
  if (!inbound) {
    srtp_dealloc(*outbound);
    return Fail(inbound.error());
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(profile, *outbound, *inbound));
}

Result<std::unique_ptr<SrtpSession>, SrtpError> SrtpSession::Create(const SrtpKeyMaterial& keys,
                                                                    SrtpRole role, const Options& options) {
  // libsrtp takes each master key as key||salt (RFC 5764 §4.2 exports them apart).
  std::array<uint8_t, SrtpKeyMaterial::kMaxKeyLength + SrtpKeyMaterial::kMaxSaltLength> client{};
  std::array<uint8_t, SrtpKeyMaterial::kMaxKeyLength + SrtpKeyMaterial::kMaxSaltLength> server{};
  const size_t key_len = MasterKeyLength(keys.profile);
  const size_t total = key_len + MasterSaltLength(keys.profile);
  std::memcpy(client.data(), keys.ClientKey().data(), key_len);
  std::memcpy(client.data() + key_len, keys.ClientSalt().data(), keys.ClientSalt().size());
  std::memcpy(server.data(), keys.ServerKey().data(), key_len);
  std::memcpy(server.data() + key_len, keys.ServerSalt().data(), keys.ServerSalt().size());
  std::span<const uint8_t> client_span(client.data(), total);
  std::span<const uint8_t> server_span(server.data(), total);
  auto session = role == SrtpRole::kClient
                     ? CreateWithMasterKeys(keys.profile, client_span, server_span, options)
                     : CreateWithMasterKeys(keys.profile, server_span, client_span, options);
  std::memset(client.data(), 0, client.size());
  std::memset(server.data(), 0, server.size());
  return session;
}

SrtpSession::~SrtpSession() {
  srtp_dealloc(outbound_);
  srtp_dealloc(inbound_);
}

Result<size_t, SrtpError> SrtpSession::ProtectRtp(std::span<uint8_t> buffer, size_t length) {
  if (length > buffer.size() || length > kMaxPacketSize) return Fail(SrtpError::kBadParam);
  if (length < kRtpHeaderSize) return Fail(SrtpError::kTooShort);
  if (buffer.size() - length < TagLength(profile_)) return Fail(SrtpError::kBufferTooSmall);
  int len = static_cast<int>(length);
  srtp_err_status_t status = srtp_protect(outbound_, buffer.data(), &len);
  if (status != srtp_err_status_ok) return Fail(FromStatus(status));
  return static_cast<size_t>(len);
}

Result<size_t, SrtpError> SrtpSession::UnprotectRtp(std::span<uint8_t> buffer, size_t length) {
  // RFC 3711 §3.1: the authentication tag follows the (encrypted) payload.
  if (length > buffer.size() || length > kMaxPacketSize) return Fail(SrtpError::kBadParam);
  if (length < kRtpHeaderSize + TagLength(profile_)) return Fail(SrtpError::kTooShort);
  int len = static_cast<int>(length);
  srtp_err_status_t status = srtp_unprotect(inbound_, buffer.data(), &len);
  if (status != srtp_err_status_ok) return Fail(FromStatus(status));
  return static_cast<size_t>(len);
}

Result<size_t, SrtpError> SrtpSession::ProtectRtcp(std::span<uint8_t> buffer, size_t length) {
  if (length > buffer.size() || length > kMaxPacketSize) return Fail(SrtpError::kBadParam);
  if (length < kRtcpHeaderSize) return Fail(SrtpError::kTooShort);
  if (buffer.size() - length < kSrtcpIndexSize + TagLength(profile_)) return Fail(SrtpError::kBufferTooSmall);
  int len = static_cast<int>(length);
  srtp_err_status_t status = srtp_protect_rtcp(outbound_, buffer.data(), &len);
  if (status != srtp_err_status_ok) return Fail(FromStatus(status));
  return static_cast<size_t>(len);
}

Result<size_t, SrtpError> SrtpSession::UnprotectRtcp(std::span<uint8_t> buffer, size_t length) {
  // RFC 3711 §3.4: SRTCP index and tag are mandatory after the compound packet.
  if (length > buffer.size() || length > kMaxPacketSize) return Fail(SrtpError::kBadParam);
  if (length < kRtcpHeaderSize + kSrtcpIndexSize + TagLength(profile_)) return Fail(SrtpError::kTooShort);
  int len = static_cast<int>(length);
  srtp_err_status_t status = srtp_unprotect_rtcp(inbound_, buffer.data(), &len);
  if (status != srtp_err_status_ok) return Fail(FromStatus(status));
  return static_cast<size_t>(len);
}

}  // namespace cascade::srtp
