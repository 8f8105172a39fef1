#pragma once
// The keys a DTLS-SRTP handshake exports (RFC 5764 §4.2) and the profile they belong to.
// core/dtls produces this struct, core/srtp consumes it; it lives here so that srtp never
// depends on dtls.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace cascade::srtp {

// DTLS-SRTP protection profile ids, as registered by IANA (RFC 5764 §4.1.2, RFC 7714 §14.2).
enum class SrtpProfile : uint16_t {
  kAes128CmSha1_80 = 0x0001,  // SRTP_AES128_CM_SHA1_80
  kAeadAes128Gcm = 0x0007,    // SRTP_AEAD_AES_128_GCM
};

const char* ToString(SrtpProfile profile);

// Which end of the DTLS handshake we were: the client writes with the client keys and
// reads with the server keys (RFC 5764 §4.2).
enum class SrtpRole : uint8_t { kClient, kServer };

// Master key lengths per profile: RFC 5764 §4.1.2 (16/14) and RFC 7714 §12 (16/12).
constexpr size_t MasterKeyLength(SrtpProfile) { return 16; }
constexpr size_t MasterSaltLength(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? 12 : 14;
}

struct SrtpKeyMaterial {
  static constexpr size_t kMaxKeyLength = 16;
  static constexpr size_t kMaxSaltLength = 14;

  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  std::array<uint8_t, kMaxKeyLength> client_write_key{};
  std::array<uint8_t, kMaxKeyLength> server_write_key{};
  std::array<uint8_t, kMaxSaltLength> client_write_salt{};  // first MasterSaltLength() bytes used
  std::array<uint8_t, kMaxSaltLength> server_write_salt{};

  std::span<const uint8_t> ClientKey() const { return {client_write_key.data(), MasterKeyLength(profile)}; }
  std::span<const uint8_t> ServerKey() const { return {server_write_key.data(), MasterKeyLength(profile)}; }
  std::span<const uint8_t> ClientSalt() const {
    return {client_write_salt.data(), MasterSaltLength(profile)};
  }
  std::span<const uint8_t> ServerSalt() const {
    return {server_write_salt.data(), MasterSaltLength(profile)};
  }

  bool operator==(const SrtpKeyMaterial&) const = default;
};

}  // namespace cascade::srtp
