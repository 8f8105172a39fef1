#include "core/tls/TlsStream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>

namespace cascade::tls {
namespace {

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

}  // namespace

std::unique_ptr<TlsContext> TlsContext::Server(const dtls::Certificate& certificate) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) throw std::runtime_error("TLS server context: " + OpenSslError());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  if (SSL_CTX_use_certificate(ctx, certificate.x509()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, certificate.key()) != 1) {
    SSL_CTX_free(ctx);
    throw std::runtime_error("TLS server certificate: " + OpenSslError());
  }
  return std::unique_ptr<TlsContext>(new TlsContext(ctx, true));
}

std::unique_ptr<TlsContext> TlsContext::Client() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) throw std::runtime_error("TLS client context: " + OpenSslError());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  // The server is self-signed: chain verification is replaced by the fingerprint pin,
  // checked once the handshake completes (TlsStream::Advance).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  return std::unique_ptr<TlsContext>(new TlsContext(ctx, false));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsStream::TlsStream(TlsContext& context, std::unique_ptr<net::TcpConnection> tcp,
                     std::optional<dtls::Fingerprint> expected_peer, Listener* listener)
    : tcp_(std::move(tcp)), expected_peer_(std::move(expected_peer)), listener_(listener) {
  if (!context.is_server() && !expected_peer_)
    throw std::invalid_argument("a TLS client needs a pinned fingerprint");
  ssl_ = SSL_new(context.raw());
  rbio_ = BIO_new(BIO_s_mem());
  wbio_ = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl_, rbio_, wbio_);
  if (context.is_server()) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
  tcp_->Start(this);
  if (!context.is_server()) Advance();  // sends the ClientHello
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

bool TlsStream::Fail(const std::string& reason) {
  if (closed_) return false;
  closed_ = true;
  close_reason_ = reason;
  FlushNetwork();
  // Inside our own data callback the caller still runs: close once it has returned.
  if (!in_data_callback_) tcp_->Close();  // notifies OnTcpConnectionClosed, which tells our listener
  return false;
}

void TlsStream::FlushNetwork() {
  uint8_t buf[16384];
  int n = 0;
  while ((n = BIO_read(wbio_, buf, sizeof(buf))) > 0) tcp_->Write({buf, static_cast<size_t>(n)});
}

void TlsStream::Advance() {
  if (!connected_) {
    int rc = SSL_do_handshake(ssl_);
    FlushNetwork();
    if (rc != 1) {
      int err = SSL_get_error(ssl_, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
        Fail("TLS handshake failed: " + OpenSslError());
      return;
    }
    if (expected_peer_) {
      X509* peer = SSL_get1_peer_certificate(ssl_);
      auto actual = peer ? dtls::Fingerprint::Of(peer, expected_peer_->algorithm()) : std::nullopt;
      X509_free(peer);
      if (!actual || !(*actual == *expected_peer_)) {
        Fail("control certificate does not match the pinned fingerprint");
        return;
      }
    }
    connected_ = true;
    listener_->OnTlsStreamConnected(this);
    if (closed_) return;
    if (!pending_plaintext_.empty()) {
      auto pending = std::move(pending_plaintext_);
      pending_plaintext_.clear();
      Write(pending);
    }
  }
  uint8_t buf[16384];
  for (;;) {
    int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      listener_->OnTlsStreamData(this, {buf, static_cast<size_t>(n)});
      if (closed_) return;
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    FlushNetwork();  // TLS 1.3 session tickets and key updates
    if (err == SSL_ERROR_ZERO_RETURN)
      Fail("peer sent close_notify");
    else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
      Fail("TLS error: " + OpenSslError());
    return;
  }
}

void TlsStream::Write(std::span<const uint8_t> plaintext) {
  if (closed_ || plaintext.empty()) return;
  if (!connected_) {
    pending_plaintext_.insert(pending_plaintext_.end(), plaintext.begin(), plaintext.end());
    return;
  }
  // With memory BIOs SSL_write takes everything (records are buffered in the write BIO).
  if (SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size())) <= 0) {
    Fail("TLS write failed: " + OpenSslError());
    return;
  }
  FlushNetwork();
}

std::vector<uint8_t> TlsStream::ExportKeyingMaterial(const std::string& label, size_t length) const {
  std::vector<uint8_t> out(length);
  if (!connected_ || SSL_export_keying_material(ssl_, out.data(), out.size(), label.data(), label.size(),
                                                nullptr, 0, 0) != 1) {
    return {};
  }
  return out;
}

void TlsStream::Close(const std::string& reason) {
  if (closed_) return;
  if (connected_) SSL_shutdown(ssl_);
  Fail(reason);
}

void TlsStream::OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t> data) {
  if (closed_) return;
  in_data_callback_ = true;
  BIO_write(rbio_, data.data(), static_cast<int>(data.size()));
  Advance();
  in_data_callback_ = false;
  if (closed_) tcp_->Close();  // notifies OnTcpConnectionClosed, which may destroy this
}

void TlsStream::OnTcpConnectionClosed(net::TcpConnection*) {
  closed_ = true;
  listener_->OnTlsStreamClosed(this, close_reason_);  // may destroy this
}

}  // namespace cascade::tls
