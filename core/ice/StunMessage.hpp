#pragma once
// A zero-copy view of one STUN message (RFC 8489 §5-6, §14) over the caller's datagram.
//
// Parse() checks the header and walks every attribute TLV once, recording the offset of the
// first occurrence of each attribute this code understands in a fixed-size index, so that the
// typed getters neither allocate nor search. It also validates the value of every attribute it
// indexes, so the getters cannot fail on a malformed value. Integrity and FINGERPRINT are
// checked separately (VerifyFingerprint, VerifyIntegrity) because the key depends on USERNAME.
//
// The view borrows the datagram: it must outlive the StunMessage.
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include "core/base/Result.hpp"
#include "core/ice/StunError.hpp"
#include "core/ice/StunProtocol.hpp"
#include "core/ice/TransportAddress.hpp"

namespace cascade::ice {

// Result of a check that yields nothing but success or a typed error.
using StunStatus = base::Result<std::monostate, StunError>;

struct StunAttribute {
  uint16_t type = 0;
  std::span<const uint8_t> value;  // without padding
};

// Forward iterator over the attribute TLVs of a message that Parse() accepted.
class StunAttributeIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = StunAttribute;
  using difference_type = std::ptrdiff_t;
  using pointer = const StunAttribute*;
  using reference = StunAttribute;

  StunAttributeIterator() = default;
  StunAttributeIterator(std::span<const uint8_t> message, size_t offset)
      : message_(message), offset_(offset) {}

  StunAttribute operator*() const;
  StunAttributeIterator& operator++();
  StunAttributeIterator operator++(int) {
    auto copy = *this;
    ++*this;
    return copy;
  }
  bool operator==(const StunAttributeIterator& other) const { return offset_ == other.offset_; }
  size_t offset() const { return offset_; }

 private:
  std::span<const uint8_t> message_;
  size_t offset_ = 0;
};

struct StunAttributeRange {
  StunAttributeIterator first;
  StunAttributeIterator last;
  StunAttributeIterator begin() const { return first; }
  StunAttributeIterator end() const { return last; }
};

// ERROR-CODE (RFC 8489 §14.8): code = class * 100 + number.
struct StunErrorCodeValue {
  uint16_t code = 0;
  std::string_view reason;
};

// A bounded list of attribute types: the unknown comprehension-required attributes found by
// Parse() (to answer 420, §6.3.1.1) or the content of an UNKNOWN-ATTRIBUTES attribute (§14.9).
struct StunAttributeTypeList {
  static constexpr size_t kMax = 16;
  std::array<uint16_t, kMax> types{};
  uint8_t count = 0;
  bool truncated = false;  // more than kMax were present; the first kMax are kept

  std::span<const uint16_t> span() const& { return {types.data(), count}; }
  std::span<const uint16_t> span() const&& = delete;  // would dangle: keep the list in a variable
  bool empty() const { return count == 0; }
  void Add(uint16_t type);
};

class StunMessage {
 public:
  static base::Result<StunMessage, StunError> Parse(std::span<const uint8_t> datagram);

  uint16_t message_type() const { return message_type_; }
  StunClass message_class() const;
  uint16_t method() const;
  std::span<const uint8_t, kStunTransactionIdSize> transaction_id() const {
    return data_.subspan<8, kStunTransactionIdSize>();
  }
  std::span<const uint8_t> data() const { return data_; }

  // Every TLV in wire order, including those after MESSAGE-INTEGRITY that the getters ignore.
  StunAttributeRange attributes() const;
  // The first occurrence of `type` among the attributes that count: those before
  // MESSAGE-INTEGRITY(-SHA256), plus MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (§14.5-14.7).
  std::optional<std::span<const uint8_t>> Find(uint16_t type) const;
  bool Has(uint16_t type) const { return Find(type).has_value(); }

  std::optional<std::string_view> username() const { return Text(kSlotUsername); }
  std::optional<std::string_view> software() const { return Text(kSlotSoftware); }
  std::optional<std::string_view> realm() const { return Text(kSlotRealm); }
  std::optional<std::string_view> nonce() const { return Text(kSlotNonce); }
  std::optional<TransportAddress> xor_mapped_address() const;
  std::optional<TransportAddress> mapped_address() const;
  std::optional<uint32_t> priority() const;
  bool use_candidate() const { return offsets_[kSlotUseCandidate] != 0; }
  std::optional<uint64_t> ice_controlling() const { return U64(kSlotIceControlling); }
  std::optional<uint64_t> ice_controlled() const { return U64(kSlotIceControlled); }
  std::optional<StunErrorCodeValue> error_code() const;
  // The UNKNOWN-ATTRIBUTES attribute of a 420 response.
  std::optional<StunAttributeTypeList> unknown_attributes() const;

  // Comprehension-required attributes (type < 0x8000) this parser does not understand. For a
  // request that has any, the server answers 420 listing them (RFC 8489 §6.3.1.1).
  const StunAttributeTypeList& unknown_comprehension_required() const { return unknown_required_; }

  bool has_fingerprint() const { return offsets_[kSlotFingerprint] != 0; }
  bool has_message_integrity() const { return offsets_[kSlotMessageIntegrity] != 0; }
  bool has_message_integrity_sha256() const { return offsets_[kSlotMessageIntegritySha256] != 0; }

  // CRC-32 of the message up to FINGERPRINT, xor 0x5354554e (§14.7).
  StunStatus VerifyFingerprint() const;
  // HMAC-SHA1 of MESSAGE-INTEGRITY (§14.5) with the short- or long-term key (StunIntegrity).
  StunStatus VerifyMessageIntegrity(std::span<const uint8_t> key) const;
  // HMAC-SHA256, compared over the attribute's (possibly truncated) length (§14.6).
  StunStatus VerifyMessageIntegritySha256(std::span<const uint8_t> key) const;
  // MESSAGE-INTEGRITY-SHA256 when present, else MESSAGE-INTEGRITY (§9.1.3, §9.2.4).
  StunStatus VerifyIntegrity(std::span<const uint8_t> key) const;

 private:
  enum Slot : uint8_t {
    kSlotMappedAddress,
    kSlotUsername,
    kSlotMessageIntegrity,
    kSlotErrorCode,
    kSlotUnknownAttributes,
    kSlotRealm,
    kSlotNonce,
    kSlotMessageIntegritySha256,
    kSlotXorMappedAddress,
    kSlotPriority,
    kSlotUseCandidate,
    kSlotSoftware,
    kSlotAlternateServer,
    kSlotFingerprint,
    kSlotIceControlled,
    kSlotIceControlling,
    kSlotCount
  };
  static int SlotOf(uint16_t type);
  static std::optional<StunError> Validate(uint16_t type, std::span<const uint8_t> value);

  explicit StunMessage(std::span<const uint8_t> data) : data_(data) {}
  std::span<const uint8_t> Value(Slot slot) const;
  std::optional<std::string_view> Text(Slot slot) const;
  std::optional<uint64_t> U64(Slot slot) const;
  std::optional<TransportAddress> Address(Slot slot, bool xored) const;
  StunStatus VerifyHmac(Slot slot, std::span<const uint8_t> key) const;

  std::span<const uint8_t> data_;
  uint16_t message_type_ = 0;
  // Offset from the message start of each indexed attribute's header; 0 = absent (the header
  // occupies offset 0, so no attribute can start there).
  std::array<uint32_t, kSlotCount> offsets_{};
  // Offset of the first MESSAGE-INTEGRITY(-SHA256): later attributes other than the integrity
  // ones and FINGERPRINT are ignored (§14.5). The message size when there is none.
  uint32_t ignore_from_ = 0;
  StunAttributeTypeList unknown_required_;
};

}  // namespace cascade::ice
