#include "core/dtls/DtlsContext.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace cascade::dtls {
namespace {

// ECDHE only (forward secrecy), AEAD first; both ECDSA and RSA peers (Firefox and older
// clients may still present RSA certificates).
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

}  // namespace

DtlsContext::DtlsContext(const Certificate& certificate)
    : certificate_(certificate), ctx_(SSL_CTX_new(DTLS_method())) {
  auto fail = [this](const char* what) {
    char detail[256] = "";
    ERR_error_string_n(ERR_get_error(), detail, sizeof(detail));
    ERR_clear_error();
    SSL_CTX_free(ctx_);
    throw CertificateError(std::string(what) + ": " + detail);
  };
  if (ctx_ == nullptr) fail("SSL_CTX_new");
  // WebRTC uses DTLS 1.2 (RFC 8827 §6.5); DTLS 1.0 is obsolete.
  if (SSL_CTX_set_min_proto_version(ctx_, DTLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx_, DTLS1_2_VERSION) != 1) {
    fail("DTLS version");
  }
  if (SSL_CTX_use_certificate(ctx_, certificate.x509()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx_, certificate.key()) != 1 || SSL_CTX_check_private_key(ctx_) != 1) {
    fail("certificate");
  }
  if (SSL_CTX_set_cipher_list(ctx_, kCipherList) != 1) fail("cipher list");
  if (SSL_CTX_set1_groups_list(ctx_, "X25519:P-256:P-384") != 1) fail("groups");
  // Memory BIOs cannot answer MTU queries: the transport sets the MTU itself. No session
  // resumption: every association is a fresh handshake keyed by SDP fingerprints.
  SSL_CTX_set_options(ctx_, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  // After the handshake only data-channel messages go through the SSL object (media is SRTP):
  // its ~33 KB of record buffers are freed while idle instead of held by every session.
  SSL_CTX_set_mode(ctx_, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
}

DtlsContext::~DtlsContext() { SSL_CTX_free(ctx_); }

void DtlsContext::RegisterMetrics(base::MetricsRegistry& registry, const base::Labels& labels) const {
  failures_.RegisterIn(registry, "cascade_dtls_failures_total", "DTLS associations failed, by reason",
                       labels);
  drops_.RegisterIn(registry, "cascade_dtls_dropped_datagrams_total",
                    "Incoming DTLS datagrams dropped, by reason", labels);
}

}  // namespace cascade::dtls
