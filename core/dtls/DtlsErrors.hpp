#pragma once
// Typed outcomes of a DTLS transport, counted per kind with base::EnumCounters.
#include <cstdint>

namespace cascade::dtls {

// Why a handshake or an established association failed (one per transport, terminal).
enum class DtlsFailure : uint8_t {
  kFingerprintMismatch,  // peer certificate does not hash to its SDP a=fingerprint (RFC 5763 §5)
  kNoPeerCertificate,    // peer sent no certificate; both sides must (RFC 5763 §5)
  kNoSrtpProfile,        // no use_srtp profile in common (RFC 5764 §4.1.1)
  kKeyExportFailed,      // the RFC 5705 exporter failed
  kPeerAlert,            // the peer sent a fatal alert
  kHandshakeError,       // any other handshake error (bad message, no common cipher, ...)
  kTimeout,              // the peer stopped answering: OpenSSL's retransmission limit
  kProtocolError,        // fatal error after the handshake
  kCount
};

// Why an incoming datagram was dropped before OpenSSL saw it.
enum class DtlsDrop : uint8_t {
  kNotDtls,          // first byte outside 20..63 (RFC 7983 §7): STUN/RTP/garbage
  kMalformedRecord,  // record header truncated or its length past the datagram (RFC 6347 §4.1)
  kBadVersion,       // record version is not DTLS 1.0/1.2 (RFC 6347 §4.1)
  kNotStarted,       // arrived before Start()
  kFinished,         // arrived after the transport failed or closed
  kCount
};

const char* ToString(DtlsFailure failure);
const char* ToString(DtlsDrop drop);

}  // namespace cascade::dtls
