#pragma once
// TLS over a TCP connection, for the control channel. Peers authenticate by certificate
// fingerprint, as DTLS does for media: control's certificate is self-signed and every node
// is told its SHA-256 fingerprint, so no CA is involved and a wrong server is refused.
// OpenSSL runs over memory BIOs on the loop thread; writes made before the handshake
// finishes are queued.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dtls/Certificate.hpp"
#include "core/dtls/Fingerprint.hpp"
#include "core/net/TcpConnection.hpp"

struct ssl_ctx_st;
struct ssl_st;
struct bio_st;

namespace cascade::tls {

class TlsContext {
 public:
  // A server presents `certificate`; a client presents none and pins the server's fingerprint.
  static std::unique_ptr<TlsContext> Server(const dtls::Certificate& certificate);
  static std::unique_ptr<TlsContext> Client();
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* raw() const { return ctx_; }
  bool is_server() const { return server_; }

 private:
  TlsContext(ssl_ctx_st* ctx, bool server) : ctx_(ctx), server_(server) {}
  ssl_ctx_st* ctx_;  // owned (SSL_CTX_free)
  bool server_;
};

class TlsStream : public net::TcpConnection::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnTlsStreamConnected(TlsStream* stream) = 0;
    // Must not destroy the stream; call Close() instead.
    virtual void OnTlsStreamData(TlsStream* stream, std::span<const uint8_t> plaintext) = 0;
    // Handshake failure, fingerprint mismatch, peer close or TCP error. The listener may
    // destroy the stream here.
    virtual void OnTlsStreamClosed(TlsStream* stream, const std::string& reason) = 0;
  };

  // `expected_peer` is required for clients (the pinned server fingerprint).
  TlsStream(TlsContext& context, std::unique_ptr<net::TcpConnection> tcp,
            std::optional<dtls::Fingerprint> expected_peer, Listener* listener);
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  void Write(std::span<const uint8_t> plaintext);
  void Close(const std::string& reason);
  bool connected() const { return connected_; }
  // Keying material of this session (RFC 8446 §7.5, RFC 5705), once connected; empty
  // before. Both ends get the same bytes, no one else can: an application-level proof over
  // them is bound to this one connection (as RFC 9266's tls-exporter channel binding).
  std::vector<uint8_t> ExportKeyingMaterial(const std::string& label, size_t length) const;
  const net::SocketAddress& peer() const { return tcp_->peer(); }

  // net::TcpConnection::Listener
  void OnTcpConnectionData(net::TcpConnection* connection, std::span<const uint8_t> data) override;
  void OnTcpConnectionClosed(net::TcpConnection* connection) override;

 private:
  void Advance();
  void FlushNetwork();
  bool Fail(const std::string& reason);

  std::unique_ptr<net::TcpConnection> tcp_;
  std::optional<dtls::Fingerprint> expected_peer_;
  Listener* listener_;     // passed by argument
  ssl_st* ssl_ = nullptr;  // owned (SSL_free); owns both BIOs
  bio_st* rbio_ = nullptr;
  bio_st* wbio_ = nullptr;
  std::vector<uint8_t> pending_plaintext_;
  bool connected_ = false;
  bool closed_ = false;
  bool in_data_callback_ = false;
  std::string close_reason_ = "peer closed";
};

}  // namespace cascade::tls
