#pragma once
// One DTLS 1.2 association (RFC 6347) with the use_srtp extension (RFC 5764), as WebRTC
// runs it per peer: the edge has one per browser, the relay one per node-to-node link.
//
// Loop-agnostic: it never touches a socket or a timer. The owner feeds it every DTLS
// datagram (ReceiveDatagram), sends what OnDtlsTransportSendData hands out, and drives
// retransmissions: after any call, arm a timer for NextTimeoutMs() and call HandleTimeout()
// when it fires. OpenSSL runs over memory BIOs; our output is cut into datagrams of at
// most `mtu` bytes, one record each.
//
// Callbacks run synchronously inside ReceiveDatagram/HandleTimeout/Start/Send/Close. The
// listener must not destroy the transport from inside a callback (defer it), nor call into
// it from OnDtlsTransportSendData (queue the datagram; an assert catches re-entry);
// SendApplicationData or Close from the other callbacks is fine.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/base/EnumCounters.hpp"
#include "core/dtls/DtlsContext.hpp"
#include "core/dtls/DtlsErrors.hpp"
#include "core/dtls/Fingerprint.hpp"
#include "core/srtp/SrtpKeyMaterial.hpp"

struct ssl_st;             // OpenSSL's SSL
struct bio_st;             // OpenSSL's BIO
struct x509_store_ctx_st;  // OpenSSL's X509_STORE_CTX

namespace cascade::dtls {

// RFC 5763 §5: the SDP a=setup:active endpoint is the DTLS client, passive the server.
enum class DtlsRole : uint8_t { kClient, kServer };

enum class DtlsState : uint8_t { kNew, kConnecting, kConnected, kFailed, kClosed };

const char* ToString(DtlsRole role);
const char* ToString(DtlsState state);

class DtlsTransport {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // One datagram for the peer, valid only during the call.
    virtual void OnDtlsTransportSendData(DtlsTransport* transport, std::span<const uint8_t> datagram) = 0;
    // Handshake done, peer fingerprint verified, SRTP keys exported (RFC 5764 §4.2).
    virtual void OnDtlsTransportConnected(DtlsTransport* transport, const srtp::SrtpKeyMaterial& keys) = 0;
    // Decrypted application data (SCTP packets, RFC 8261).
    virtual void OnDtlsTransportApplicationData(DtlsTransport* transport, std::span<const uint8_t> data) = 0;
    virtual void OnDtlsTransportFailed(DtlsTransport* transport, DtlsFailure reason) = 0;
    // The peer sent close_notify.
    virtual void OnDtlsTransportClosed(DtlsTransport* transport) = 0;
  };

  struct Options {
    // Largest datagram we send (DTLS records included, UDP/IP excluded). 1200 stays under
    // every path MTU a browser meets, including TURN over TCP/TLS encapsulation.
    size_t mtu = 1200;
    // use_srtp profiles we offer (client) or accept (server), most preferred first.
    std::vector<srtp::SrtpProfile> srtp_profiles = {srtp::SrtpProfile::kAeadAes128Gcm,
                                                    srtp::SrtpProfile::kAes128CmSha1_80};
    // Retransmission timer: initial value, doubled per timeout up to the maximum. OpenSSL's
    // default starts at 1 s, too slow for a media session on a lossy first packet.
    uint32_t initial_timeout_ms = 100;
    uint32_t max_timeout_ms = 4000;
  };

  // `context` and `listener` must outlive the transport (passed by argument).
  DtlsTransport(DtlsContext& context, Listener* listener, const Options& options);
  DtlsTransport(DtlsContext& context, Listener* listener) : DtlsTransport(context, listener, Options{}) {}
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Starts the handshake; a client sends its ClientHello at once. `remote_fingerprint`
  // comes from the peer's SDP; its certificate must hash to it. Only once.
  void Start(DtlsRole role, const Fingerprint& remote_fingerprint);
  // Feeds one datagram the owner demultiplexed as DTLS. Never fails: bad input is counted
  // (drops()) and ignored, or fails the association when DTLS says it must.
  void ReceiveDatagram(std::span<const uint8_t> datagram);
  // Encrypts one record of application data (at most mtu minus record overhead bytes).
  // Returns false when not connected or the data does not fit.
  bool SendApplicationData(std::span<const uint8_t> data);
  // Milliseconds until HandleTimeout() is due (0 = now), or nullopt when no timer runs.
  std::optional<uint64_t> NextTimeoutMs();
  // Retransmits the last flight when its timer expired; fails with kTimeout when OpenSSL
  // gives up. Harmless to call early.
  void HandleTimeout();
  // Sends close_notify (when connected) and stops; no callback follows.
  void Close();

  DtlsState state() const { return state_; }
  DtlsRole role() const { return role_; }
  std::optional<srtp::SrtpProfile> srtp_profile() const { return profile_; }
  std::optional<DtlsFailure> failure() const { return failure_; }
  // OpenSSL's reason text for the failure, for logs.
  const std::string& failure_detail() const { return failure_detail_; }
  const base::EnumCounters<DtlsDrop>& drops() const { return drops_; }

 private:
  static int VerifyCallback(int preverify_ok, x509_store_ctx_st* store);
  static unsigned int TimerCallback(ssl_st* ssl, unsigned int timer_us);
  static void InfoCallback(const ssl_st* ssl, int where, int ret);

  bool Accept(std::span<const uint8_t> datagram);
  void DoHandshake();
  void OnHandshakeDone();
  void ReadApplicationData();
  void Flush();
  size_t MinEncryptedRecordLength() const;
  void Fail(DtlsFailure reason);
  void Drop(DtlsDrop reason);

  DtlsContext& context_;
  Listener* listener_;
  Options options_;
  ssl_st* ssl_ = nullptr;   // owned (SSL_free); owns both BIOs
  bio_st* rbio_ = nullptr;  // network -> OpenSSL, one datagram at a time
  bio_st* wbio_ = nullptr;  // OpenSSL -> network, drained by Flush()
  DtlsRole role_ = DtlsRole::kServer;
  DtlsState state_ = DtlsState::kNew;
  Fingerprint remote_fingerprint_;
  std::optional<srtp::SrtpProfile> profile_;
  std::optional<DtlsFailure> failure_;
  std::optional<DtlsFailure> pending_failure_;  // set by OpenSSL callbacks, reported by Fail()
  std::string failure_detail_;
  base::EnumCounters<DtlsDrop> drops_;
  bool flushing_ = false;  // inside OnDtlsTransportSendData: re-entry is a listener bug
};

}  // namespace cascade::dtls
