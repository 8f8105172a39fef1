#include "edge/Token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cascade::edge {
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

const char* ToString(TokenRole role) { return role == TokenRole::kPublish ? "publish" : "watch"; }

const char* ToString(TokenError error) {
  switch (error) {
    case TokenError::kMalformed: return "malformed";
    case TokenError::kBadSignature: return "bad_signature";
    case TokenError::kExpired: return "expired";
    case TokenError::kCount: break;
  }
  return "?";
}

TokenAuthority::TokenAuthority(std::string secret) : secret_(std::move(secret)) {
  if (secret_.size() < 16) throw std::invalid_argument("token secret must be at least 16 bytes");
}

std::string TokenAuthority::Sign(std::string_view payload) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &mac_len);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

std::string TokenAuthority::Issue(const TokenClaims& claims) const {
  nlohmann::json body{{"room", claims.room},
                      {"role", ToString(claims.role)},
                      {"exp", claims.expires_at_s},
                      {"id", claims.id}};
  std::string payload = Base64UrlEncode(body.dump());
  return payload + "." + Sign(payload);
}

base::Result<TokenClaims, TokenError> TokenAuthority::Verify(std::string_view token, uint64_t now_s) const {
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 4096) return base::Fail(TokenError::kMalformed);
  std::string_view payload = token.substr(0, dot);
  std::string expected = Sign(payload);
  std::string_view given = token.substr(dot + 1);
  // Constant time: a timing difference must not reveal how much of a forged MAC was right.
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return base::Fail(TokenError::kBadSignature);
  }
  std::string json;
  if (!Base64UrlDecode(payload, json)) return base::Fail(TokenError::kMalformed);
  auto body = nlohmann::json::parse(json, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("room") || !body["room"].is_string() ||
      !body.contains("role") || !body["role"].is_string() || !body.contains("exp") ||
      !body["exp"].is_number_unsigned()) {
    return base::Fail(TokenError::kMalformed);
  }
  TokenClaims claims;
  claims.room = body["room"].get<std::string>();
  std::string role = body["role"].get<std::string>();
  if (role == "publish") {
    claims.role = TokenRole::kPublish;
  } else if (role == "watch") {
    claims.role = TokenRole::kWatch;
  } else {
    return base::Fail(TokenError::kMalformed);
  }
  claims.expires_at_s = body["exp"].get<uint64_t>();
  if (body.contains("id") && body["id"].is_string()) claims.id = body["id"].get<std::string>();
  if (claims.expires_at_s <= now_s) return base::Fail(TokenError::kExpired);
  return claims;
}

}  // namespace cascade::edge
