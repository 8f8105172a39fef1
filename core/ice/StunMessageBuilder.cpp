#include "core/ice/StunMessageBuilder.hpp"

#include <cstring>

#include "core/base/Bytes.hpp"
#include "core/ice/StunCrc32.hpp"
#include "core/ice/StunIntegrity.hpp"
#include "core/ice/StunMessage.hpp"

namespace cascade::ice {

using base::StoreBe16;
using base::StoreBe32;
using base::StoreBe64;

namespace {

constexpr size_t kMaxMessageLength = 0xFFFC;  // the 16-bit length field, a multiple of 4

uint16_t EncodeType(StunClass klass, uint16_t method) {
  // §5: M11..M7 C1 M6..M4 C0 M3..M0 in the low 14 bits.
  const auto c = static_cast<uint16_t>(klass);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
                               ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

}  // namespace

StunMessageBuilder::StunMessageBuilder(std::span<uint8_t> out, StunClass klass, uint16_t method,
                                       std::span<const uint8_t, kStunTransactionIdSize> transaction_id)
    : out_(out) {
  if (out.size() < kStunHeaderSize) {
    error_ = StunError::kBufferTooSmall;
    return;
  }
  if (method > 0x0FFF) {
    error_ = StunError::kInvalidArgument;
    return;
  }
  StoreBe16(out.data(), EncodeType(klass, method));
  StoreBe16(out.data() + 2, 0);
  StoreBe32(out.data() + 4, kStunMagicCookie);
  std::memcpy(out.data() + 8, transaction_id.data(), kStunTransactionIdSize);
  size_ = kStunHeaderSize;
}

StunMessageBuilder& StunMessageBuilder::Fail(StunError error) {
  if (!error_) error_ = error;
  return *this;
}

uint8_t* StunMessageBuilder::Append(uint16_t type, size_t value_length) {
  if (error_) return nullptr;
  const size_t padded = (value_length + 3) & ~size_t{3};
  if (value_length > 0xFFFF || size_ - kStunHeaderSize + 4 + padded > kMaxMessageLength) {
    Fail(StunError::kInvalidArgument);
    return nullptr;
  }
  if (out_.size() - size_ < 4 + padded) {
    Fail(StunError::kBufferTooSmall);
    return nullptr;
  }
  uint8_t* p = out_.data() + size_;
  StoreBe16(p, type);
  StoreBe16(p + 2, static_cast<uint16_t>(value_length));
  std::memset(p + 4 + value_length, 0, padded - value_length);  // §14: padding sent as zeros
  size_ += 4 + padded;
  StoreBe16(out_.data() + 2, static_cast<uint16_t>(size_ - kStunHeaderSize));
  return p + 4;
}

StunMessageBuilder& StunMessageBuilder::AddAttribute(uint16_t type, std::span<const uint8_t> value) {
  if (uint8_t* p = Append(type, value.size()); p != nullptr && !value.empty()) {
    std::memcpy(p, value.data(), value.size());
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddText(uint16_t type, std::string_view text) {
  return AddAttribute(type, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

StunMessageBuilder& StunMessageBuilder::AddPriority(uint32_t priority) {
  if (uint8_t* p = Append(stun_attr::kPriority, 4)) StoreBe32(p, priority);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddUseCandidate() {
  Append(stun_attr::kUseCandidate, 0);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddIceControlling(uint64_t tiebreaker) {
  if (uint8_t* p = Append(stun_attr::kIceControlling, 8)) StoreBe64(p, tiebreaker);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddIceControlled(uint64_t tiebreaker) {
  if (uint8_t* p = Append(stun_attr::kIceControlled, 8)) StoreBe64(p, tiebreaker);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddAddress(uint16_t type, const TransportAddress& address,
                                                   bool xored) {
  const auto bytes = address.bytes();
  if (bytes.empty()) return Fail(StunError::kInvalidArgument);
  uint8_t* p = Append(type, 4 + bytes.size());
  if (p == nullptr) return *this;
  // §14.1/§14.2: reserved byte, family (0x01 IPv4, 0x02 IPv6), port, address; the XOR form
  // masks the port with the cookie's top 16 bits and the address with cookie || transaction id.
  uint8_t mask[16];
  StoreBe32(mask, kStunMagicCookie);
  std::memcpy(mask + 4, out_.data() + 8, kStunTransactionIdSize);
  p[0] = 0;
  p[1] = address.is_ipv4() ? 0x01 : 0x02;
  StoreBe16(p + 2, static_cast<uint16_t>(address.port() ^ (xored ? (kStunMagicCookie >> 16) : 0)));
  for (size_t i = 0; i < bytes.size(); ++i) p[4 + i] = static_cast<uint8_t>(bytes[i] ^ (xored ? mask[i] : 0));
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddXorMappedAddress(const TransportAddress& address) {
  return AddAddress(stun_attr::kXorMappedAddress, address, true);
}

StunMessageBuilder& StunMessageBuilder::AddMappedAddress(const TransportAddress& address) {
  return AddAddress(stun_attr::kMappedAddress, address, false);
}

StunMessageBuilder& StunMessageBuilder::AddErrorCode(uint16_t code, std::string_view reason) {
  // §14.8: class 3-6 in the hundreds, number 0-99; reason at most 127 characters (763 bytes).
  if (code < 300 || code > 699) return Fail(StunError::kInvalidArgument);
  if (reason.empty()) reason = stun_code::DefaultReason(code);
  if (reason.size() > 763) return Fail(StunError::kInvalidArgument);
  uint8_t* p = Append(stun_attr::kErrorCode, 4 + reason.size());
  if (p == nullptr) return *this;
  p[0] = 0;
  p[1] = 0;
  p[2] = static_cast<uint8_t>(code / 100);
  p[3] = static_cast<uint8_t>(code % 100);
  if (!reason.empty()) std::memcpy(p + 4, reason.data(), reason.size());
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddUnknownAttributes(std::span<const uint16_t> types) {
  uint8_t* p = Append(stun_attr::kUnknownAttributes, types.size() * 2);
  if (p == nullptr) return *this;
  for (size_t i = 0; i < types.size(); ++i) StoreBe16(p + 2 * i, types[i]);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddMessageIntegrity(std::span<const uint8_t> key) {
  const size_t offset = size_;
  uint8_t* p = Append(stun_attr::kMessageIntegrity, kStunMessageIntegritySize);
  if (p == nullptr) return *this;
  // §14.5: the HMAC covers everything before the attribute, with the length field already
  // counting it (Append has just written that length into the header).
  std::array<uint8_t, StunIntegrity::kSha256Size> mac{};
  const auto length_field = static_cast<uint16_t>(size_ - kStunHeaderSize);
  if (!StunIntegrity::Compute(StunIntegrity::Algorithm::kHmacSha1, key, out_.first(offset), length_field,
                              mac)) {
    return Fail(StunError::kInvalidArgument);
  }
  std::memcpy(p, mac.data(), kStunMessageIntegritySize);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddMessageIntegritySha256(std::span<const uint8_t> key,
                                                                  size_t length) {
  if (length < kStunMessageIntegritySha256Min || length > kStunMessageIntegritySha256Max || length % 4 != 0) {
    return Fail(StunError::kInvalidArgument);
  }
  const size_t offset = size_;
  uint8_t* p = Append(stun_attr::kMessageIntegritySha256, length);
  if (p == nullptr) return *this;
  std::array<uint8_t, StunIntegrity::kSha256Size> mac{};
  const auto length_field = static_cast<uint16_t>(size_ - kStunHeaderSize);
  if (!StunIntegrity::Compute(StunIntegrity::Algorithm::kHmacSha256, key, out_.first(offset), length_field,
                              mac)) {
    return Fail(StunError::kInvalidArgument);
  }
  std::memcpy(p, mac.data(), length);  // §14.6: the leading bytes when truncated
  return *this;
}

StunMessageBuilder& StunMessageBuilder::AddFingerprint() {
  const size_t offset = size_;
  uint8_t* p = Append(stun_attr::kFingerprint, 4);
  if (p == nullptr) return *this;
  // §14.7: CRC-32 of everything before the attribute (length field including it) xor "STUN".
  StoreBe32(p, StunCrc32(out_.first(offset)) ^ kStunFingerprintXor);
  return *this;
}

StunMessageBuilder::Output StunMessageBuilder::Finish() const {
  if (error_) return base::Fail(*error_);
  return std::span<const uint8_t>(out_.first(size_));
}

StunMessageBuilder::Output StunMessageBuilder::BindingRequest(std::span<uint8_t> out,
                                                              const StunBindingRequestParams& params) {
  StunMessageBuilder b(out, StunClass::kRequest, stun_method::kBinding, params.transaction_id);
  if (!params.username.empty()) b.AddUsername(params.username);
  if (!params.software.empty()) b.AddSoftware(params.software);
  if (params.priority) b.AddPriority(*params.priority);
  if (params.ice_controlling) b.AddIceControlling(*params.ice_controlling);
  if (params.ice_controlled) b.AddIceControlled(*params.ice_controlled);
  if (params.use_candidate) b.AddUseCandidate();
  if (!params.key.empty()) b.AddMessageIntegrity(params.key);
  if (params.fingerprint) b.AddFingerprint();
  return b.Finish();
}

StunMessageBuilder::Output StunMessageBuilder::BindingSuccess(
    std::span<uint8_t> out, std::span<const uint8_t, kStunTransactionIdSize> transaction_id,
    const TransportAddress& mapped, std::span<const uint8_t> key) {
  StunMessageBuilder b(out, StunClass::kSuccessResponse, stun_method::kBinding, transaction_id);
  b.AddXorMappedAddress(mapped).AddMessageIntegrity(key).AddFingerprint();
  return b.Finish();
}

StunMessageBuilder::Output StunMessageBuilder::ErrorResponse(
    std::span<uint8_t> out, uint16_t method, std::span<const uint8_t, kStunTransactionIdSize> transaction_id,
    uint16_t code, std::span<const uint8_t> key, std::span<const uint16_t> unknown, std::string_view reason) {
  StunMessageBuilder b(out, StunClass::kErrorResponse, method, transaction_id);
  b.AddErrorCode(code, reason);
  // §14.9: UNKNOWN-ATTRIBUTES is present exactly when the code is 420.
  if (code == stun_code::kUnknownAttribute) b.AddUnknownAttributes(unknown);
  if (!key.empty()) b.AddMessageIntegrity(key);
  b.AddFingerprint();
  return b.Finish();
}

std::optional<StunMessageBuilder::Output> StunMessageBuilder::UnknownAttributesResponse(
    std::span<uint8_t> out, const StunMessage& request, std::span<const uint8_t> key) {
  const auto& unknown = request.unknown_comprehension_required();
  if (unknown.empty()) return std::nullopt;
  return ErrorResponse(out, request.method(), request.transaction_id(), stun_code::kUnknownAttribute, key,
                       unknown.span());
}

}  // namespace cascade::ice
