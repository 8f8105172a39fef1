#include "core/ice/StunMessage.hpp"

#include <openssl/crypto.h>

#include "core/base/Bytes.hpp"
#include "core/ice/StunCrc32.hpp"
#include "core/ice/StunIntegrity.hpp"

namespace cascade::ice {

using base::LoadBe16;
using base::LoadBe32;
using base::LoadBe64;

namespace {

constexpr size_t Padded(size_t length) { return (length + 3) & ~size_t{3}; }

}  // namespace

StunAttribute StunAttributeIterator::operator*() const {
  // Parse() proved every TLV fits, so these reads stay inside the message.
  const uint8_t* p = message_.data() + offset_;
  return StunAttribute{LoadBe16(p), message_.subspan(offset_ + kStunAttributeHeaderSize, LoadBe16(p + 2))};
}

StunAttributeIterator& StunAttributeIterator::operator++() {
  offset_ += kStunAttributeHeaderSize + Padded(LoadBe16(message_.data() + offset_ + 2));
  return *this;
}

void StunAttributeTypeList::Add(uint16_t type) {
  if (count < kMax) {
    types[count++] = type;
  } else {
    truncated = true;
  }
}

int StunMessage::SlotOf(uint16_t type) {
  switch (type) {
    case stun_attr::kMappedAddress: return kSlotMappedAddress;
    case stun_attr::kUsername: return kSlotUsername;
    case stun_attr::kMessageIntegrity: return kSlotMessageIntegrity;
    case stun_attr::kErrorCode: return kSlotErrorCode;
    case stun_attr::kUnknownAttributes: return kSlotUnknownAttributes;
    case stun_attr::kRealm: return kSlotRealm;
    case stun_attr::kNonce: return kSlotNonce;
    case stun_attr::kMessageIntegritySha256: return kSlotMessageIntegritySha256;
    case stun_attr::kXorMappedAddress: return kSlotXorMappedAddress;
    case stun_attr::kPriority: return kSlotPriority;
    case stun_attr::kUseCandidate: return kSlotUseCandidate;
    case stun_attr::kSoftware: return kSlotSoftware;
    case stun_attr::kAlternateServer: return kSlotAlternateServer;
    case stun_attr::kFingerprint: return kSlotFingerprint;
    case stun_attr::kIceControlled: return kSlotIceControlled;
    case stun_attr::kIceControlling: return kSlotIceControlling;
    default: return -1;
  }
}

std::optional<StunError> StunMessage::Validate(uint16_t type, std::span<const uint8_t> value) {
  const size_t n = value.size();
  switch (type) {
    case stun_attr::kMessageIntegrity:  // §14.5: always 20 bytes
      return n == kStunMessageIntegritySize ? std::nullopt : std::optional(StunError::kBadAttributeLength);
    case stun_attr::kMessageIntegritySha256:  // §14.6: 16..32 bytes, a multiple of 4
      return (n >= kStunMessageIntegritySha256Min && n <= kStunMessageIntegritySha256Max && n % 4 == 0)
                 ? std::nullopt
                 : std::optional(StunError::kBadAttributeLength);
    case stun_attr::kFingerprint:  // §14.7: a 32-bit CRC
    case stun_attr::kPriority:     // RFC 8445 §16.1: 32-bit unsigned
      return n == 4 ? std::nullopt : std::optional(StunError::kBadAttributeLength);
    case stun_attr::kIceControlled:  // RFC 8445 §16.1: 64-bit tiebreaker
    case stun_attr::kIceControlling:
      return n == 8 ? std::nullopt : std::optional(StunError::kBadAttributeLength);
    case stun_attr::kUseCandidate:  // RFC 8445 §16.1: a flag, no value
      return n == 0 ? std::nullopt : std::optional(StunError::kBadAttributeLength);
    case stun_attr::kMappedAddress:  // §14.1/§14.2: reserved, family, port, 4 or 16 address bytes
    case stun_attr::kXorMappedAddress:
    case stun_attr::kAlternateServer:
      if (n < 4) return StunError::kBadAttributeLength;
      if (value[1] == 0x01) return n == 8 ? std::nullopt : std::optional(StunError::kBadAttributeLength);
      if (value[1] == 0x02) return n == 20 ? std::nullopt : std::optional(StunError::kBadAttributeLength);
      return StunError::kBadAddressFamily;
    case stun_attr::kErrorCode: {  // §14.8: 21 reserved bits, class 3-6, number 0-99, reason
      if (n < 4) return StunError::kBadAttributeLength;
      const unsigned klass = value[2] & 0x07;
      if (klass < 3 || klass > 6 || value[3] > 99) return StunError::kBadErrorCode;
      return std::nullopt;
    }
    case stun_attr::kUnknownAttributes:  // §14.9: a list of 16-bit types
      return n % 2 == 0 ? std::nullopt : std::optional(StunError::kBadAttributeLength);
    default: return std::nullopt;
  }
}

base::Result<StunMessage, StunError> StunMessage::Parse(std::span<const uint8_t> datagram) {
  using base::Fail;
  if (datagram.size() < kStunHeaderSize) return Fail(StunError::kTooShort);
  const uint8_t* p = datagram.data();
  // §5: "The most significant 2 bits of every STUN message MUST be zeroes."
  if ((p[0] & 0xC0) != 0) return Fail(StunError::kNotStun);
  // §5: the magic cookie field MUST contain 0x2112A442 (RFC 3489 clients are not served).
  if (LoadBe32(p + 4) != kStunMagicCookie) return Fail(StunError::kBadMagicCookie);
  const size_t length = LoadBe16(p + 2);
  // §5: "the message length MUST contain the size of the message in bytes, not including the
  // 20-byte STUN header. Since all STUN attributes are padded to a multiple of 4 bytes, the last
  // 2 bits of this field are always zero."
  if (length % 4 != 0) return Fail(StunError::kUnalignedLength);
  // §6.3: a UDP datagram carries exactly one message; a length that disagrees with the datagram
  // is either truncation or trailing garbage.
  if (kStunHeaderSize + length != datagram.size()) return Fail(StunError::kLengthMismatch);

  StunMessage msg(datagram);
  msg.message_type_ = LoadBe16(p);
  msg.ignore_from_ = static_cast<uint32_t>(datagram.size());
  bool after_integrity = false;  // MESSAGE-INTEGRITY seen
  bool after_sha256 = false;     // MESSAGE-INTEGRITY-SHA256 seen
  bool after_fingerprint = false;
  size_t offset = kStunHeaderSize;
  while (offset < datagram.size()) {
    const size_t remaining = datagram.size() - offset;
    // §14: every attribute is a 4-byte type/length header followed by the value padded to a
    // multiple of 4; neither may pass the message end.
    if (remaining < kStunAttributeHeaderSize) return Fail(StunError::kAttributeOverrun);
    const uint16_t type = LoadBe16(p + offset);
    const size_t value_length = LoadBe16(p + offset + 2);
    if (Padded(value_length) > remaining - kStunAttributeHeaderSize)
      return Fail(StunError::kAttributeOverrun);
    // §14.7: "the FINGERPRINT attribute MUST be the last attribute in the message".
    if (after_fingerprint) return Fail(StunError::kFingerprintNotLast);

    bool counts = false;
    if (type == stun_attr::kFingerprint) {
      counts = true;
      after_fingerprint = true;
    } else if (type == stun_attr::kMessageIntegritySha256) {
      // §14.6: may follow MESSAGE-INTEGRITY; anything after it but FINGERPRINT is ignored.
      counts = !after_sha256;
      after_sha256 = true;
    } else {
      // §14.5: "any attributes that follow MESSAGE-INTEGRITY, with the exception of the
      // MESSAGE-INTEGRITY-SHA256 and FINGERPRINT attributes, MUST be ignored".
      counts = !after_integrity && !after_sha256;
      if (type == stun_attr::kMessageIntegrity) after_integrity = true;
    }
    if ((type == stun_attr::kMessageIntegrity || type == stun_attr::kMessageIntegritySha256) &&
        msg.ignore_from_ == datagram.size()) {
      msg.ignore_from_ = static_cast<uint32_t>(offset);
    }

    if (counts) {
      const auto value = datagram.subspan(offset + kStunAttributeHeaderSize, value_length);
      if (auto error = Validate(type, value)) return Fail(*error);
      const int slot = SlotOf(type);
      if (slot >= 0) {
        // §14: only the first occurrence of an attribute is processed.
        if (msg.offsets_[slot] == 0) msg.offsets_[slot] = static_cast<uint32_t>(offset);
      } else if (stun_attr::IsComprehensionRequired(type)) {
        // §6.3.1.1 / §14: unknown comprehension-required attributes make a request fail with
        // 420; the caller decides (responses and indications only ignore them, §6.3.2-6.3.3).
        msg.unknown_required_.Add(type);
      }
    }
    offset += kStunAttributeHeaderSize + Padded(value_length);
  }
  return msg;
}

StunClass StunMessage::message_class() const {
  // §5: C1 is bit 8 and C0 bit 4 of the 14-bit type (M11..M0 interleaved around them).
  return static_cast<StunClass>(((message_type_ >> 7) & 0x2) | ((message_type_ >> 4) & 0x1));
}

uint16_t StunMessage::method() const {
  return static_cast<uint16_t>((message_type_ & 0x000F) | ((message_type_ >> 1) & 0x0070) |
                               ((message_type_ >> 2) & 0x0F80));
}

StunAttributeRange StunMessage::attributes() const {
  return {StunAttributeIterator(data_, kStunHeaderSize), StunAttributeIterator(data_, data_.size())};
}

std::optional<std::span<const uint8_t>> StunMessage::Find(uint16_t type) const {
  const int slot = SlotOf(type);
  if (slot >= 0) {
    if (offsets_[slot] == 0) return std::nullopt;
    return Value(static_cast<Slot>(slot));
  }
  for (auto it = attributes().begin(); it != attributes().end() && it.offset() < ignore_from_; ++it) {
    const StunAttribute attr = *it;
    if (attr.type == type) return attr.value;
  }
  return std::nullopt;
}

std::span<const uint8_t> StunMessage::Value(Slot slot) const {
  const uint32_t offset = offsets_[slot];
  return data_.subspan(offset + kStunAttributeHeaderSize, LoadBe16(data_.data() + offset + 2));
}

std::optional<std::string_view> StunMessage::Text(Slot slot) const {
  if (offsets_[slot] == 0) return std::nullopt;
  const auto value = Value(slot);
  return std::string_view(reinterpret_cast<const char*>(value.data()), value.size());
}

std::optional<uint64_t> StunMessage::U64(Slot slot) const {
  if (offsets_[slot] == 0) return std::nullopt;
  return LoadBe64(Value(slot).data());  // length 8 checked by Validate()
}

std::optional<uint32_t> StunMessage::priority() const {
  if (offsets_[kSlotPriority] == 0) return std::nullopt;
  return LoadBe32(Value(kSlotPriority).data());
}

std::optional<TransportAddress> StunMessage::Address(Slot slot, bool xored) const {
  if (offsets_[slot] == 0) return std::nullopt;
  const auto value = Value(slot);  // family and length checked by Validate()
  uint16_t port = LoadBe16(value.data() + 2);
  // §14.2: X-Port is the port xor the cookie's most significant 16 bits; X-Address is the
  // address xor the cookie (IPv4) or xor the cookie followed by the transaction id (IPv6).
  uint8_t mask[16];
  base::StoreBe32(mask, kStunMagicCookie);
  std::memcpy(mask + 4, data_.data() + 8, kStunTransactionIdSize);
  if (xored) port ^= static_cast<uint16_t>(kStunMagicCookie >> 16);
  if (value[1] == 0x01) {
    uint8_t addr[4];
    for (size_t i = 0; i < 4; ++i) addr[i] = static_cast<uint8_t>(value[4 + i] ^ (xored ? mask[i] : 0));
    return TransportAddress::Ipv4(std::span<const uint8_t, 4>(addr, 4), port);
  }
  uint8_t addr[16];
  for (size_t i = 0; i < 16; ++i) addr[i] = static_cast<uint8_t>(value[4 + i] ^ (xored ? mask[i] : 0));
  return TransportAddress::Ipv6(std::span<const uint8_t, 16>(addr, 16), port);
}

std::optional<TransportAddress> StunMessage::xor_mapped_address() const {
  return Address(kSlotXorMappedAddress, true);
}

std::optional<TransportAddress> StunMessage::mapped_address() const {
  return Address(kSlotMappedAddress, false);
}

std::optional<StunErrorCodeValue> StunMessage::error_code() const {
  if (offsets_[kSlotErrorCode] == 0) return std::nullopt;
  const auto value = Value(kSlotErrorCode);
  StunErrorCodeValue out;
  out.code = static_cast<uint16_t>((value[2] & 0x07) * 100 + value[3]);
  out.reason = std::string_view(reinterpret_cast<const char*>(value.data() + 4), value.size() - 4);
  return out;
}

std::optional<StunAttributeTypeList> StunMessage::unknown_attributes() const {
  if (offsets_[kSlotUnknownAttributes] == 0) return std::nullopt;
  const auto value = Value(kSlotUnknownAttributes);
  StunAttributeTypeList list;
  for (size_t i = 0; i + 1 < value.size(); i += 2) list.Add(LoadBe16(value.data() + i));
  return list;
}

StunStatus StunMessage::VerifyFingerprint() const {
  const uint32_t offset = offsets_[kSlotFingerprint];
  if (offset == 0) return base::Fail(StunError::kFingerprintMissing);
  // §14.7: CRC-32 of the message up to (not including) FINGERPRINT, xor 0x5354554e. The length
  // field already covers FINGERPRINT because Parse() proved it is the last attribute.
  const uint32_t expected = StunCrc32(data_.first(offset)) ^ kStunFingerprintXor;
  if (LoadBe32(data_.data() + offset + kStunAttributeHeaderSize) != expected) {
    return base::Fail(StunError::kFingerprintMismatch);
  }
  return std::monostate{};
}

StunStatus StunMessage::VerifyHmac(Slot slot, std::span<const uint8_t> key) const {
  const uint32_t offset = offsets_[slot];
  if (offset == 0) return base::Fail(StunError::kIntegrityMissing);
  const auto mac = Value(slot);
  // §14.5/§14.6: the HMAC covers the message up to the attribute, with the header's length
  // field set as if the attribute were the last one.
  const size_t adjusted = offset + kStunAttributeHeaderSize + mac.size() - kStunHeaderSize;
  std::array<uint8_t, StunIntegrity::kSha256Size> computed{};
  const auto algorithm = slot == kSlotMessageIntegrity ? StunIntegrity::Algorithm::kHmacSha1
                                                       : StunIntegrity::Algorithm::kHmacSha256;
  if (!StunIntegrity::Compute(algorithm, key, data_.first(offset), static_cast<uint16_t>(adjusted),
                              computed)) {
    return base::Fail(StunError::kIntegrityMismatch);
  }
  // Constant time, so that response timing does not reveal how many bytes matched. For
  // MESSAGE-INTEGRITY-SHA256 only the leading mac.size() bytes are sent (§14.6 truncation).
  if (CRYPTO_memcmp(computed.data(), mac.data(), mac.size()) != 0) {
    return base::Fail(StunError::kIntegrityMismatch);
  }
  return std::monostate{};
}

StunStatus StunMessage::VerifyMessageIntegrity(std::span<const uint8_t> key) const {
  return VerifyHmac(kSlotMessageIntegrity, key);
}

StunStatus StunMessage::VerifyMessageIntegritySha256(std::span<const uint8_t> key) const {
  return VerifyHmac(kSlotMessageIntegritySha256, key);
}

StunStatus StunMessage::VerifyIntegrity(std::span<const uint8_t> key) const {
  if (has_message_integrity_sha256()) return VerifyHmac(kSlotMessageIntegritySha256, key);
  return VerifyHmac(kSlotMessageIntegrity, key);
}

}  // namespace cascade::ice
