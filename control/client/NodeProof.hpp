#pragma once
// The proof in a node's hello that it knows the cluster's node secret (auth.node_secret):
//
//   hex(HMAC-SHA256(secret, "cascade-node-hello:" || node_id || ":" || binding))
//
// where `binding` is keying material exported from the control connection's TLS session
// (ControlConnection::ChannelBinding, RFC 5705/8446 §7.5, as RFC 9266's tls-exporter).
// The proof names one node id and holds on one TLS connection only: one seen in a log or
// a capture is no use for another id or on another connection, and the secret never
// crosses the wire.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cascade::control {

// A node secret shorter than this is refused in configuration.
inline constexpr size_t kMinNodeSecretSize = 16;

std::string NodeHelloProof(std::string_view secret, std::string_view node_id,
                           std::span<const uint8_t> binding);
// Constant-time comparison; false for an empty binding or proof.
bool VerifyNodeHelloProof(std::string_view secret, std::string_view node_id, std::span<const uint8_t> binding,
                          std::string_view proof);

}  // namespace cascade::control
