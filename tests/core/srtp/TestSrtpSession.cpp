#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/base/Bytes.hpp"
#include "core/srtp/SrtpSession.hpp"
#include "tests/TestData.hpp"

using namespace cascade::srtp;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes Hex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

const nlohmann::json& Vectors() {
  static const nlohmann::json vectors =
      nlohmann::json::parse(cascade::test::ReadText("srtp/srtp_vectors.json"));
  return vectors;
}

std::unique_ptr<SrtpSession> Make(SrtpProfile profile, const Bytes& send, const Bytes& receive,
                                  SrtpSession::Options options = {}) {
  auto session = SrtpSession::CreateWithMasterKeys(profile, send, receive, options);
  REQUIRE(session.ok());
  return std::move(*session);
}

// Protects `plain` as RTP or RTCP in a buffer with room for the trailer.
Bytes Protect(SrtpSession& session, const Bytes& plain, bool rtcp) {
  Bytes buffer = plain;
  buffer.resize(plain.size() + SrtpSession::kMaxRtcpOverhead);
  auto len = rtcp ? session.ProtectRtcp(buffer, plain.size()) : session.ProtectRtp(buffer, plain.size());
  REQUIRE(len.ok());
  buffer.resize(*len);
  return buffer;
}

cascade::base::Result<size_t, SrtpError> Unprotect(SrtpSession& session, Bytes& packet, bool rtcp) {
  return rtcp ? session.UnprotectRtcp(packet, packet.size()) : session.UnprotectRtp(packet, packet.size());
}

// --- An independent RFC 3711 §4.3 KDF and RFC 7714 AES-GCM, to check libsrtp's GCM output
// byte for byte: RFC 7714's vectors give session keys, which libsrtp's API cannot take.
Bytes AesCtr(const Bytes& key, const Bytes& iv, size_t n) {
  Bytes out(n);
  Bytes zeros(n);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key.data(), iv.data()) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &len, zeros.data(), static_cast<int>(n)) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// RFC 3711 §4.3.1 with kdr = 0: x = (label << 48) XOR master_salt (112 bits, a 96-bit GCM
// salt right-padded with zeros as libsrtp and RFC 7714 §11 do); IV = x * 2^16.
Bytes Kdf(const Bytes& master_key, const Bytes& master_salt, uint8_t label, size_t n) {
  Bytes iv(16, 0);
  std::memcpy(iv.data(), master_salt.data(), master_salt.size());
  iv[7] ^= label;
  return AesCtr(master_key, iv, n);
}

Bytes GcmSeal(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& plain) {
  Bytes out(plain.size() + 16);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, nullptr, nullptr) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1);
  REQUIRE(EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), iv.data()) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size())) == 1);
  REQUIRE(EVP_EncryptFinal_ex(ctx, out.data() + len, &len) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + plain.size()) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt; AAD = the RTP header.
Bytes ReferenceGcmSrtp(const Bytes& key, const Bytes& salt, const Bytes& rtp, size_t header_size,
                       uint32_t roc) {
  Bytes iv(12, 0);
  std::memcpy(iv.data() + 2, rtp.data() + 8, 4);
  cascade::base::StoreBe32(iv.data() + 6, roc);
  std::memcpy(iv.data() + 10, rtp.data() + 2, 2);
  for (size_t i = 0; i < 12; ++i) iv[i] ^= salt[i];
  Bytes aad(rtp.begin(), rtp.begin() + static_cast<long>(header_size));
  return Concat(aad, GcmSeal(key, iv, aad, Bytes(rtp.begin() + static_cast<long>(header_size), rtp.end())));
}

// RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || index) XOR salt;
// AAD = first 8 octets || E-flag+index; trailer = tag then E-flag+index.
Bytes ReferenceGcmSrtcp(const Bytes& key, const Bytes& salt, const Bytes& rtcp, uint32_t index) {
  Bytes iv(12, 0);
  std::memcpy(iv.data() + 2, rtcp.data() + 4, 4);
  cascade::base::StoreBe32(iv.data() + 8, index);
  for (size_t i = 0; i < 12; ++i) iv[i] ^= salt[i];
  Bytes e_index(4);
  cascade::base::StoreBe32(e_index.data(), 0x80000000u | index);
  Bytes aad = Concat(Bytes(rtcp.begin(), rtcp.begin() + 8), e_index);
  return Concat(Concat(Bytes(rtcp.begin(), rtcp.begin() + 8),
                       GcmSeal(key, iv, aad, Bytes(rtcp.begin() + 8, rtcp.end()))),
                e_index);
}

}  // namespace

TEST_CASE("SrtpSession reproduces libsrtp's AES_CM_128_HMAC_SHA1_80 vectors (RFC 3711 B.3 keys)") {
  const auto& v = Vectors()["libsrtp_srtp_validate_aes_cm_128_hmac_sha1_80"];
  const Bytes key = Concat(Hex(v["master_key"]), Hex(v["master_salt"]));
  struct Case {
    const char* plain;
    const char* protected_;
    bool rtcp;
  };
  for (const Case& c : {Case{"rtp_plaintext", "srtp_protected", false},
                        Case{"rtcp_plaintext", "srtcp_protected_index1", true}}) {
    CAPTURE(c.plain);
    auto sender = Make(SrtpProfile::kAes128CmSha1_80, key, key);
    auto receiver = Make(SrtpProfile::kAes128CmSha1_80, key, key);
    // libsrtp's first SRTCP index is 1 (its validate vector); RTP carries its own SEQ.
    Bytes packet = Protect(*sender, Hex(v[c.plain]), c.rtcp);
    CHECK(packet == Hex(v[c.protected_]));
    auto len = Unprotect(*receiver, packet, c.rtcp);
    REQUIRE(len.ok());
    packet.resize(*len);
    CHECK(packet == Hex(v[c.plain]));
  }
}

TEST_CASE("Reference AES-GCM reproduces the RFC 7714 §16/§17 vectors") {
  // Validates the test's own reference, which then checks libsrtp below.
  const auto& rtp = Vectors()["rfc7714_16_srtp_aead_aes_gcm"];
  CHECK(ReferenceGcmSrtp(Hex(rtp["AEAD_AES_128_GCM"]["session_key"]), Hex(rtp["session_salt"]),
                         Hex(rtp["rtp_plaintext"]), 12, 0) == Hex(rtp["AEAD_AES_128_GCM"]["srtp"]));
  const auto& rtcp = Vectors()["rfc7714_17_srtcp_aead_aes_gcm"];
  CHECK(ReferenceGcmSrtcp(Hex(rtcp["AEAD_AES_128_GCM"]["session_key"]), Hex(rtcp["session_salt"]),
                          Hex(rtcp["rtcp_plaintext"]), 0x5d4) == Hex(rtcp["AEAD_AES_128_GCM"]["srtcp"]));
}

TEST_CASE("Reference KDF reproduces RFC 3711 B.3") {
  const auto& v = Vectors()["rfc3711_B3_key_derivation"];
  const Bytes mk = Hex(v["master_key"]);
  const Bytes ms = Hex(v["master_salt"]);
  CHECK(Kdf(mk, ms, 0, 16) == Hex(v["cipher_key_label0"]));
  CHECK(Kdf(mk, ms, 2, 14) == Hex(v["cipher_salt_label2"]));
  CHECK(Kdf(mk, ms, 3, 16) == Hex(v["srtcp_cipher_key_label3"]));
  CHECK(Kdf(mk, ms, 5, 14) == Hex(v["srtcp_salt_label5"]));
}

TEST_CASE("SrtpSession AEAD_AES_128_GCM output matches RFC 7714 computed from derived session keys") {
  const auto& rtp = Vectors()["rfc7714_16_srtp_aead_aes_gcm"];
  const auto& rtcp = Vectors()["rfc7714_17_srtcp_aead_aes_gcm"];
  // Use the RFC's key and salt as the *master* key; derive session keys as libsrtp must.
  const Bytes mk = Hex(rtp["AEAD_AES_128_GCM"]["session_key"]);
  const Bytes ms = Hex(rtp["session_salt"]);
  auto sender = Make(SrtpProfile::kAeadAes128Gcm, Concat(mk, ms), Concat(mk, ms));
  auto receiver = Make(SrtpProfile::kAeadAes128Gcm, Concat(mk, ms), Concat(mk, ms));

  const Bytes rtp_plain = Hex(rtp["rtp_plaintext"]);
  Bytes srtp = Protect(*sender, rtp_plain, false);
  CHECK(srtp.size() == rtp_plain.size() + 16);
  CHECK(srtp == ReferenceGcmSrtp(Kdf(mk, ms, 0, 16), Kdf(mk, ms, 2, 12), rtp_plain, 12, 0));
  auto len = receiver->UnprotectRtp(srtp, srtp.size());
  REQUIRE(len.ok());
  srtp.resize(*len);
  CHECK(srtp == rtp_plain);

  const Bytes rtcp_plain = Hex(rtcp["rtcp_plaintext"]);
  Bytes srtcp = Protect(*sender, rtcp_plain, true);
  CHECK(srtcp.size() == rtcp_plain.size() + 20);
  CHECK(srtcp == ReferenceGcmSrtcp(Kdf(mk, ms, 3, 16), Kdf(mk, ms, 5, 12), rtcp_plain, 1));
  len = receiver->UnprotectRtcp(srtcp, srtcp.size());
  REQUIRE(len.ok());
  srtcp.resize(*len);
  CHECK(srtcp == rtcp_plain);
}

namespace {
struct ProfileCase {
  SrtpProfile profile;
  size_t key_and_salt;
};
constexpr ProfileCase kProfiles[] = {{SrtpProfile::kAes128CmSha1_80, 30}, {SrtpProfile::kAeadAes128Gcm, 28}};

Bytes Rtp(uint16_t seq, uint32_t ssrc, size_t payload = 100) {
  Bytes p(12 + payload, 0xab);
  p[0] = 0x80;
  p[1] = 96;
  cascade::base::StoreBe16(p.data() + 2, seq);
  cascade::base::StoreBe32(p.data() + 4, 1234u * seq);
  cascade::base::StoreBe32(p.data() + 8, ssrc);
  return p;
}
}  // namespace

TEST_CASE("SrtpSession rejects tampered packets with kAuthFail") {
  for (const auto& pc : kProfiles) {
    CAPTURE(ToString(pc.profile));
    const Bytes key(pc.key_and_salt, 0x42);
    for (bool rtcp : {false, true}) {
      CAPTURE(rtcp);
      // Flip a header byte, a payload byte and a tag byte in turn.
      for (size_t which : {size_t{1}, size_t{20}, size_t{0}}) {
        auto sender = Make(pc.profile, key, key);
        auto receiver = Make(pc.profile, key, key);
        Bytes plain = Rtp(7, 0x11223344);
        if (rtcp) plain[1] = 200;  // RTCP SR packet type
        Bytes packet = Protect(*sender, plain, rtcp);
        const size_t index = which == 0 ? packet.size() - 1 - (rtcp ? 4 : 0) : which;
        packet[index] ^= 0x01;
        auto result = Unprotect(*receiver, packet, rtcp);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error() == SrtpError::kAuthFail);
      }
    }
  }
}

TEST_CASE("SrtpSession detects replays and packets older than the window") {
  for (const auto& pc : kProfiles) {
    CAPTURE(ToString(pc.profile));
    const Bytes key(pc.key_and_salt, 0x17);
    SrtpSession::Options options;
    options.replay_window = 64;
    auto sender = Make(pc.profile, key, key, options);
    auto receiver = Make(pc.profile, key, key, options);

    Bytes first = Protect(*sender, Rtp(1, 5), false);
    Bytes copy = first;
    REQUIRE(Unprotect(*receiver, first, false).ok());
    auto replay = Unprotect(*receiver, copy, false);
    REQUIRE_FALSE(replay.ok());
    CHECK(replay.error() == SrtpError::kReplay);

    // Move the window past seq 1: seq 200 makes seq 2 older than 64 packets.
    Bytes old = Protect(*sender, Rtp(2, 5), false);
    Bytes ahead = Protect(*sender, Rtp(200, 5), false);
    REQUIRE(Unprotect(*receiver, ahead, false).ok());
    auto too_old = Unprotect(*receiver, old, false);
    REQUIRE_FALSE(too_old.ok());
    CHECK(too_old.error() == SrtpError::kReplayOld);

    // SRTCP has its own window over the SRTCP index (RFC 3711 §3.4).
    Bytes rtcp = Rtp(3, 5);
    rtcp[1] = 200;
    Bytes srtcp = Protect(*sender, rtcp, true);
    Bytes srtcp_copy = srtcp;
    REQUIRE(Unprotect(*receiver, srtcp, true).ok());
    auto rtcp_replay = Unprotect(*receiver, srtcp_copy, true);
    REQUIRE_FALSE(rtcp_replay.ok());
    CHECK(rtcp_replay.error() == SrtpError::kReplay);
  }
}

TEST_CASE("SrtpSession accepts new SSRCs and out-of-order packets within the window") {
  const Bytes key(30, 0x33);
  auto sender = Make(SrtpProfile::kAes128CmSha1_80, key, key);
  auto receiver = Make(SrtpProfile::kAes128CmSha1_80, key, key);
  std::vector<Bytes> packets;
  for (uint32_t ssrc : {1u, 2u, 3u}) {
    for (uint16_t seq : {10, 11, 12}) packets.push_back(Protect(*sender, Rtp(seq, ssrc), false));
  }
  // Deliver each SSRC's packets reversed: all inside the window, so all accepted.
  for (size_t s = 0; s < 3; ++s) {
    for (size_t i = 3; i-- > 0;) {
      Bytes p = packets[s * 3 + i];
      auto len = receiver->UnprotectRtp(p, p.size());
      REQUIRE(len.ok());
      CHECK(*len == 112);
    }
  }
}

TEST_CASE("SrtpSession validates sizes and parameters") {
  const Bytes key(30, 0x01);
  auto session = Make(SrtpProfile::kAes128CmSha1_80, key, key);
  Bytes packet = Rtp(1, 9);
  const size_t len = packet.size();
  SUBCASE("protect without room for the tag") {
    auto r = session->ProtectRtp(packet, len);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == SrtpError::kBufferTooSmall);
  }
  SUBCASE("too short to hold a header and a tag") {
    auto r = session->UnprotectRtp(packet, 15);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == SrtpError::kTooShort);
    auto r2 = session->UnprotectRtcp(packet, 21);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error() == SrtpError::kTooShort);
    auto r3 = session->ProtectRtp(packet, 11);
    REQUIRE_FALSE(r3.ok());
  }
  SUBCASE("length beyond the buffer") {
    auto r = session->UnprotectRtp(packet, len + 1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == SrtpError::kBadParam);
  }
  SUBCASE("bad key length and bad window") {
    CHECK(SrtpSession::CreateWithMasterKeys(SrtpProfile::kAeadAes128Gcm, key, key, {}).error() ==
          SrtpError::kBadParam);
    SrtpSession::Options options;
    options.replay_window = 10;
    CHECK(SrtpSession::CreateWithMasterKeys(SrtpProfile::kAes128CmSha1_80, key, key, options).error() ==
          SrtpError::kBadParam);
  }
}

TEST_CASE("SrtpSession from DTLS key material: client and server roles talk to each other") {
  for (const auto& pc : kProfiles) {
    CAPTURE(ToString(pc.profile));
    SrtpKeyMaterial keys;
    keys.profile = pc.profile;
    for (size_t i = 0; i < 16; ++i) {
      keys.client_write_key[i] = static_cast<uint8_t>(i);
      keys.server_write_key[i] = static_cast<uint8_t>(0x80 + i);
    }
    for (size_t i = 0; i < 14; ++i) {
      keys.client_write_salt[i] = static_cast<uint8_t>(0x40 + i);
      keys.server_write_salt[i] = static_cast<uint8_t>(0xc0 + i);
    }
    auto client = SrtpSession::Create(keys, SrtpRole::kClient);
    auto server = SrtpSession::Create(keys, SrtpRole::kServer);
    REQUIRE(client.ok());
    REQUIRE(server.ok());
    const Bytes plain = Rtp(100, 77);
    Bytes to_server = Protect(**client, plain, false);
    Bytes to_client = Protect(**server, plain, false);
    CHECK(to_server != to_client);  // different keys per direction
    Bytes loop = to_server;
    CHECK_FALSE((*client)->UnprotectRtp(loop, loop.size()).ok());  // not our receive key
    auto a = (*server)->UnprotectRtp(to_server, to_server.size());
    auto b = (*client)->UnprotectRtp(to_client, to_client.size());
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    to_server.resize(*a);
    CHECK(to_server == plain);
  }
}

TEST_CASE("SrtpLibrary is reference counted") {
  const uint32_t before = SrtpLibrary::References();
  {
    SrtpLibrary a;
    SrtpLibrary b = a;
    CHECK(SrtpLibrary::References() == before + 2);
  }
  CHECK(SrtpLibrary::References() == before);
}
