#include "control/client/NodeProof.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

namespace cascade::control {

std::string NodeHelloProof(std::string_view secret, std::string_view node_id,
                           std::span<const uint8_t> binding) {
  std::vector<uint8_t> message;
  constexpr std::string_view kContext = "cascade-node-hello:";
  message.insert(message.end(), kContext.begin(), kContext.end());
  message.insert(message.end(), node_id.begin(), node_id.end());
  message.push_back(':');
  message.insert(message.end(), binding.begin(), binding.end());
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), message.data(), message.size(), mac,
       &mac_size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(mac_size * 2);
  for (unsigned int i = 0; i < mac_size; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 0xf];
  }
  return hex;
}

bool VerifyNodeHelloProof(std::string_view secret, std::string_view node_id, std::span<const uint8_t> binding,
                          std::string_view proof) {
  if (binding.empty() || proof.empty()) return false;
  std::string expected = NodeHelloProof(secret, node_id, binding);
  return proof.size() == expected.size() &&
         CRYPTO_memcmp(proof.data(), expected.data(), expected.size()) == 0;
}

}  // namespace cascade::control
