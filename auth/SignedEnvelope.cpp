#include "auth/SignedEnvelope.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace cascade::auth {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(in[k])); };
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (in.size() - i == 1) {
    uint32_t v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (in.size() - i == 2) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string& out) {
  if (in.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* pos = std::char_traits<char>::find(kAlphabet, 64, c);
    if (!pos) return false;
    acc = (acc << 6) | static_cast<uint32_t>(pos - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return true;
}

}  // namespace

std::string SignedEnvelope::Hmac(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

std::string SignedEnvelope::Sign(std::string_view payload) const {
  return Base64UrlEncode(Hmac(key_, payload));
}

std::string SignedEnvelope::Seal(const nlohmann::json& claims) const {
  std::string payload = Base64UrlEncode(claims.dump());
  return payload + "." + Sign(payload);
}

base::Result<nlohmann::json, EnvelopeError> SignedEnvelope::Open(std::string_view envelope) const {
  auto dot = envelope.find('.');
  if (dot == std::string_view::npos || envelope.size() > kMaxSize)
    return base::Fail(EnvelopeError::kMalformed);
  std::string_view payload = envelope.substr(0, dot);
  std::string expected = Sign(payload);
  std::string_view given = envelope.substr(dot + 1);
  // Constant time: a timing difference must not reveal how much of a forged MAC was right.
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return base::Fail(EnvelopeError::kBadSignature);
  }
  std::string json;
  if (!Base64UrlDecode(payload, json)) return base::Fail(EnvelopeError::kMalformed);
  auto body = nlohmann::json::parse(json, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return base::Fail(EnvelopeError::kMalformed);
  return body;
}

}  // namespace cascade::auth
