#include "core/dtls/DtlsTransport.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

#include "core/base/Bytes.hpp"
#include "core/base/Log.hpp"

namespace cascade::dtls {
namespace {

// RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2).
constexpr size_t kRecordHeaderSize = 13;
// RFC 6347 §4.1 / RFC 5246 §6.2.3: a record carries at most 2^14 + 2048 bytes.
constexpr size_t kMaxRecordLength = 16384 + 2048;
constexpr size_t kMaxPlaintext = 16384;

// One record of plaintext, shared by the thread's transports: the listener consumes it
// before the next SSL_read (16 KB per session otherwise).
uint8_t* ThreadPlaintextBuffer() {
  thread_local std::unique_ptr<uint8_t[]> buffer(new uint8_t[kMaxPlaintext]);
  return buffer.get();
}

// RFC 5705 exporter label for DTLS-SRTP (RFC 5764 §4.2).
constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";

const char* OpenSslProfileName(srtp::SrtpProfile profile) {
  // Names from OpenSSL's srtp profile table (ssl/d1_srtp.c).
  return profile == srtp::SrtpProfile::kAeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
}

std::string TakeOpenSslErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out;
}

}  // namespace

const char* ToString(DtlsFailure failure) {
  switch (failure) {
    case DtlsFailure::kFingerprintMismatch: return "fingerprint_mismatch";
    case DtlsFailure::kNoPeerCertificate: return "no_peer_certificate";
    case DtlsFailure::kNoSrtpProfile: return "no_srtp_profile";
    case DtlsFailure::kKeyExportFailed: return "key_export_failed";
    case DtlsFailure::kPeerAlert: return "peer_alert";
    case DtlsFailure::kHandshakeError: return "handshake_error";
    case DtlsFailure::kTimeout: return "timeout";
    case DtlsFailure::kProtocolError: return "protocol_error";
    case DtlsFailure::kCount: break;
  }
  return "unknown";
}

const char* ToString(DtlsDrop drop) {
  switch (drop) {
    case DtlsDrop::kNotDtls: return "not_dtls";
    case DtlsDrop::kMalformedRecord: return "malformed_record";
    case DtlsDrop::kBadVersion: return "bad_version";
    case DtlsDrop::kNotStarted: return "not_started";
    case DtlsDrop::kFinished: return "finished";
    case DtlsDrop::kCount: break;
  }
  return "unknown";
}

const char* ToString(DtlsRole role) { return role == DtlsRole::kClient ? "client" : "server"; }

const char* ToString(DtlsState state) {
  switch (state) {
    case DtlsState::kNew: return "new";
    case DtlsState::kConnecting: return "connecting";
    case DtlsState::kConnected: return "connected";
    case DtlsState::kFailed: return "failed";
    case DtlsState::kClosed: return "closed";
  }
  return "unknown";
}

DtlsTransport::DtlsTransport(DtlsContext& context, Listener* listener, const Options& options)
    : context_(context), listener_(listener), options_(options) {
  ssl_ = SSL_new(context_.ssl_ctx());
  rbio_ = BIO_new(BIO_s_mem());
  wbio_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || rbio_ == nullptr || wbio_ == nullptr) {
    // Out of memory on the control path: nothing sensible to continue with.
    LOG_ERROR("dtls_alloc_failed");
    std::abort();
  }
  // An empty read BIO means "no more data yet", not end of stream.
  BIO_set_mem_eof_return(rbio_, -1);
  BIO_set_mem_eof_return(wbio_, -1);
  SSL_set_bio(ssl_, rbio_, wbio_);  // the SSL owns both BIOs from here
  SSL_set_app_data(ssl_, this);
}

DtlsTransport::~DtlsTransport() { SSL_free(ssl_); }

void DtlsTransport::Start(DtlsRole role, const Fingerprint& remote_fingerprint) {
  assert(!flushing_);
  if (state_ != DtlsState::kNew) return;
  role_ = role;
  remote_fingerprint_ = remote_fingerprint;
  state_ = DtlsState::kConnecting;

  std::string profiles;
  for (auto profile : options_.srtp_profiles) {
    if (!profiles.empty()) profiles += ':';
    profiles += OpenSslProfileName(profile);
  }
  ERR_clear_error();
  // Note the inverted convention: SSL_set_tlsext_use_srtp returns 0 on success.
  if (profiles.empty() || SSL_set_tlsext_use_srtp(ssl_, profiles.c_str()) != 0) {
    Fail(DtlsFailure::kNoSrtpProfile);
    return;
  }
  SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
  SSL_set_mtu(ssl_, static_cast<long>(options_.mtu));
  // RFC 5763 §5: both endpoints must present a certificate; we check it against the SDP
  // fingerprint ourselves, since it is self-signed.
  SSL_set_verify(ssl_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &DtlsTransport::VerifyCallback);
  DTLS_set_timer_cb(ssl_, &DtlsTransport::TimerCallback);
  SSL_set_info_callback(ssl_, &DtlsTransport::InfoCallback);

  if (role == DtlsRole::kClient) {
    SSL_set_connect_state(ssl_);
    DoHandshake();  // sends the ClientHello
  } else {
    SSL_set_accept_state(ssl_);
  }
}

bool DtlsTransport::Accept(std::span<const uint8_t> datagram) {
  // RFC 7983 §7: a first byte in 20..63 identifies DTLS among STUN, RTP/RTCP and TURN.
  if (datagram.empty() || datagram[0] < 20 || datagram[0] > 63) {
    Drop(DtlsDrop::kNotDtls);
    return false;
  }
  // A UDP payload never exceeds 65,535 bytes (and BIO_write takes an int).
  if (datagram.size() > 65535) {
    Drop(DtlsDrop::kMalformedRecord);
    return false;
  }
  // RFC 6347 §4.1: a datagram holds one or more whole records.
  base::ByteReader reader(datagram);
  while (reader.remaining() > 0) {
    const uint8_t type = reader.U8();
    const uint8_t major = reader.U8();
    const uint8_t minor = reader.U8();
    const uint16_t epoch = reader.U16();
    reader.Skip(6);  // sequence number
    const uint16_t length = reader.U16();
    if (!reader.ok()) {
      Drop(DtlsDrop::kMalformedRecord);
      return false;
    }
    // RFC 6347 §4.1: ContentType 20..23 (plus 24 heartbeat, 25 tls12_cid registered later).
    if (type < 20 || type > 25 || length > kMaxRecordLength) {
      Drop(DtlsDrop::kMalformedRecord);
      return false;
    }
    // RFC 6347 §4.1: {254, 253} is DTLS 1.2; {254, 255} (DTLS 1.0) is allowed in a
    // ClientHello record so that older servers answer.
    if (major != 254 || (minor != 253 && minor != 255)) {
      Drop(DtlsDrop::kBadVersion);
      return false;
    }
    // Epoch 0 is plaintext; later epochs carry at least the cipher's overhead.
    if (epoch != 0 && length < MinEncryptedRecordLength()) {
      Drop(DtlsDrop::kMalformedRecord);
      return false;
    }
    reader.Bytes(length);
    if (!reader.ok()) {
      Drop(DtlsDrop::kMalformedRecord);
      return false;
    }
  }
  return true;
}

void DtlsTransport::ReceiveDatagram(std::span<const uint8_t> datagram) {
  assert(!flushing_ && "listener fed a datagram back from OnDtlsTransportSendData");
  if (state_ == DtlsState::kNew) {
    Drop(DtlsDrop::kNotStarted);
    return;
  }
  if (state_ == DtlsState::kFailed || state_ == DtlsState::kClosed) {
    Drop(DtlsDrop::kFinished);
    return;
  }
  if (!Accept(datagram)) return;

  if (BIO_write(rbio_, datagram.data(), static_cast<int>(datagram.size())) !=
      static_cast<int>(datagram.size())) {
    return;  // allocation failure in the BIO: treat like a lost datagram
  }
  if (state_ == DtlsState::kConnecting) DoHandshake();
  if (state_ == DtlsState::kConnected) ReadApplicationData();
  // Whatever OpenSSL left unread belonged to this datagram; never let it prefix the next.
  (void)BIO_reset(rbio_);
}

void DtlsTransport::DoHandshake() {
  ERR_clear_error();
  const int ret = SSL_do_handshake(ssl_);
  const int error = ret == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_, ret);
  Flush();  // our next flight, or the alert that explains a failure
  if (ret == 1) {
    OnHandshakeDone();
    return;
  }
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  Fail(pending_failure_.value_or(DtlsFailure::kHandshakeError));
}

void DtlsTransport::OnHandshakeDone() {
  // The verify callback already rejected a wrong certificate; check again here so that no
  // path (e.g. a future OpenSSL skipping the callback) can connect unauthenticated.
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr) {
    Fail(DtlsFailure::kNoPeerCertificate);
    return;
  }
  auto fingerprint = Fingerprint::Of(peer, remote_fingerprint_.algorithm());
  if (!fingerprint || !(*fingerprint == remote_fingerprint_)) {
    Fail(DtlsFailure::kFingerprintMismatch);
    return;
  }

  // RFC 5764 §4.1.1: no profile in common means the peer ignored use_srtp.
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_);
  if (selected == nullptr) {
    Fail(DtlsFailure::kNoSrtpProfile);
    return;
  }
  srtp::SrtpKeyMaterial keys;
  if (selected->id == SRTP_AEAD_AES_128_GCM) {
    keys.profile = srtp::SrtpProfile::kAeadAes128Gcm;
  } else if (selected->id == SRTP_AES128_CM_SHA1_80) {
    keys.profile = srtp::SrtpProfile::kAes128CmSha1_80;
  } else {
    Fail(DtlsFailure::kNoSrtpProfile);
    return;
  }

  // RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt.
  const size_t key_len = srtp::MasterKeyLength(keys.profile);
  const size_t salt_len = srtp::MasterSaltLength(keys.profile);
  uint8_t material[2 * (srtp::SrtpKeyMaterial::kMaxKeyLength + srtp::SrtpKeyMaterial::kMaxSaltLength)];
  const size_t total = 2 * (key_len + salt_len);
  ERR_clear_error();
  if (SSL_export_keying_material(ssl_, material, total, kExporterLabel, sizeof(kExporterLabel) - 1, nullptr,
                                 0, 0) != 1) {
    Fail(DtlsFailure::kKeyExportFailed);
    return;
  }
  std::memcpy(keys.client_write_key.data(), material, key_len);
  std::memcpy(keys.server_write_key.data(), material + key_len, key_len);
  std::memcpy(keys.client_write_salt.data(), material + 2 * key_len, salt_len);
  std::memcpy(keys.server_write_salt.data(), material + 2 * key_len + salt_len, salt_len);
  OPENSSL_cleanse(material, sizeof(material));

  profile_ = keys.profile;
  state_ = DtlsState::kConnected;
  LOG_DEBUG("dtls_connected", {"role", ToString(role_)}, {"profile", srtp::ToString(keys.profile)});
  listener_->OnDtlsTransportConnected(this, keys);
  OPENSSL_cleanse(&keys, sizeof(keys));
}

void DtlsTransport::ReadApplicationData() {
  while (state_ == DtlsState::kConnected) {
    ERR_clear_error();
    uint8_t* plaintext = ThreadPlaintextBuffer();
    const int n = SSL_read(ssl_, plaintext, static_cast<int>(kMaxPlaintext));
    if (n > 0) {
      listener_->OnDtlsTransportApplicationData(this, std::span<const uint8_t>(plaintext, n));
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    Flush();  // OpenSSL may answer (e.g. retransmit its last flight for a repeated one)
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      // RFC 5246 §7.2.1: answer close_notify with our own, then stop.
      SSL_shutdown(ssl_);
      Flush();
      state_ = DtlsState::kClosed;
      listener_->OnDtlsTransportClosed(this);
      return;
    }
    Fail(pending_failure_.value_or(DtlsFailure::kProtocolError));
    return;
  }
}

bool DtlsTransport::SendApplicationData(std::span<const uint8_t> data) {
  assert(!flushing_);
  if (state_ != DtlsState::kConnected || data.empty()) return false;
  // A DTLS record must fit one datagram (RFC 6347 §4.1.1); OpenSSL treats a larger write
  // as fatal, so refuse it here instead.
  if (data.size() > DTLS_get_data_mtu(ssl_)) return false;
  ERR_clear_error();
  const int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
  Flush();
  if (n != static_cast<int>(data.size())) {
    ERR_clear_error();
    return false;
  }
  return true;
}

std::optional<uint64_t> DtlsTransport::NextTimeoutMs() {
  if (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected) return std::nullopt;
  timeval remaining{};
  if (DTLSv1_get_timeout(ssl_, &remaining) != 1) return std::nullopt;
  // Round up: a timer that fires a little early makes HandleTimeout a no-op.
  return static_cast<uint64_t>(remaining.tv_sec) * 1000 +
         (static_cast<uint64_t>(remaining.tv_usec) + 999) / 1000;
}

void DtlsTransport::HandleTimeout() {
  assert(!flushing_);
  if (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected) return;
  ERR_clear_error();
  const int ret = DTLSv1_handle_timeout(ssl_);
  Flush();
  if (ret < 0) Fail(DtlsFailure::kTimeout);
}

void DtlsTransport::Close() {
  assert(!flushing_);
  if (state_ == DtlsState::kConnected) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // queues close_notify (RFC 5246 §7.2.1)
    Flush();
    ERR_clear_error();
  }
  if (state_ != DtlsState::kFailed) state_ = DtlsState::kClosed;
}

void DtlsTransport::Flush() {
  char* data = nullptr;
  const long pending = BIO_get_mem_data(wbio_, &data);
  if (pending <= 0) return;
  // One record per datagram, as OpenSSL itself sends over a datagram BIO. Packing records
  // (RFC 6347 §4.1.1 allows it) saves a few handshake datagrams but meets OpenSSL's habit of
  // discarding the rest of a datagram after some records: a retransmitted ClientHello
  // packed before the next flight made an OpenSSL server drop that flight.
  const std::span<const uint8_t> out(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(pending));
  flushing_ = true;
  size_t offset = 0;
  while (offset < out.size()) {
    size_t record = out.size() - offset;  // a truncated tail (never expected) goes out as is
    if (record >= kRecordHeaderSize) {
      record = std::min(record, kRecordHeaderSize + base::LoadBe16(out.data() + offset + 11));
    }
    listener_->OnDtlsTransportSendData(this, out.subspan(offset, record));
    offset += record;
  }
  flushing_ = false;
  (void)BIO_reset(wbio_);
}

size_t DtlsTransport::MinEncryptedRecordLength() const {
  // Shorter protected records cannot be valid, and OpenSSL 3.0 answers a too-short AEAD
  // record with a fatal internal_error instead of discarding it (RFC 6347 §4.1.2.7 says
  // discard): one forged 4-byte datagram would end the association.
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
  if (cipher == nullptr) cipher = SSL_get_pending_cipher(ssl_);
  // Before the ServerHello the only epoch-1 record is a Finished: 24 bytes of plaintext.
  if (cipher == nullptr) return 24;
  if (SSL_CIPHER_is_aead(cipher)) {
    // ChaCha20-Poly1305: 16-byte tag (RFC 7905); AES-GCM: 8-byte explicit nonce + 16-byte tag.
    return SSL_CIPHER_get_cipher_nid(cipher) == NID_chacha20_poly1305 ? 16 : 24;
  }
  return 48;  // CBC: explicit IV + one block + HMAC-SHA1, at least 48 either way
}

void DtlsTransport::Fail(DtlsFailure reason) {
  if (state_ == DtlsState::kFailed || state_ == DtlsState::kClosed) return;
  state_ = DtlsState::kFailed;
  failure_ = reason;
  failure_detail_ = TakeOpenSslErrors();
  context_.failures().Inc(reason);
  LOG_INFO("dtls_failed", {"role", ToString(role_)}, {"reason", ToString(reason)},
           {"detail", failure_detail_});
  listener_->OnDtlsTransportFailed(this, reason);
}

void DtlsTransport::Drop(DtlsDrop reason) {
  drops_.Inc(reason);
  context_.drops().Inc(reason);
}

int DtlsTransport::VerifyCallback(int /*preverify_ok*/, X509_STORE_CTX* store) {
  // The peer's certificate is self-signed, so OpenSSL's chain verdict is meaningless; the
  // only check is RFC 5763 §5: the end-entity certificate must match the SDP fingerprint.
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = ssl != nullptr ? static_cast<DtlsTransport*>(SSL_get_app_data(ssl)) : nullptr;
  if (self == nullptr) return 0;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (leaf == nullptr) {
    self->pending_failure_ = DtlsFailure::kNoPeerCertificate;
    return 0;
  }
  auto fingerprint = Fingerprint::Of(leaf, self->remote_fingerprint_.algorithm());
  if (!fingerprint || !(*fingerprint == self->remote_fingerprint_)) {
    self->pending_failure_ = DtlsFailure::kFingerprintMismatch;
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  X509_STORE_CTX_set_error(store, X509_V_OK);
  return 1;
}

unsigned int DtlsTransport::TimerCallback(SSL* ssl, unsigned int timer_us) {
  // OpenSSL passes 0 when it arms the timer for a new flight, else the expired duration.
  auto* self = static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  const unsigned int initial_us = self->options_.initial_timeout_ms * 1000;
  const unsigned int max_us = self->options_.max_timeout_ms * 1000;
  if (timer_us == 0) return initial_us;
  return std::min(max_us, timer_us * 2);  // RFC 6347 §4.2.4.1: double on each timeout
}

void DtlsTransport::InfoCallback(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0) return;
  // ret = level << 8 | description; only fatal alerts end the association.
  if ((ret >> 8) != SSL3_AL_FATAL) return;
  auto* self = static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  if (self != nullptr && !self->pending_failure_) self->pending_failure_ = DtlsFailure::kPeerAlert;
}

}  // namespace cascade::dtls
