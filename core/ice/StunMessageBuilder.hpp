#pragma once
// Writes one STUN message (RFC 8489 §5, §14) into a caller buffer, without allocating.
//
// Attributes are appended in call order and the header's length field is kept current, so
// MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT, which hash everything before them, must be added
// last, in that order (§14.5-14.7). Errors are sticky: after the first failure every call is
// a no-op and Finish() returns the error, so a sequence of Add calls is checked once.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/base/Result.hpp"
#include "core/ice/StunError.hpp"
#include "core/ice/StunProtocol.hpp"
#include "core/ice/TransportAddress.hpp"

namespace cascade::ice {

class StunMessage;

// What an ICE connectivity check carries (RFC 8445 §7.1.1, §16.1).
struct StunBindingRequestParams {
  std::span<const uint8_t, kStunTransactionIdSize> transaction_id;
  std::string_view username;     // "remote-ufrag:local-ufrag"; empty = none
  std::span<const uint8_t> key;  // short-term key (the remote password); empty = no MI
  std::optional<uint32_t> priority;
  std::optional<uint64_t> ice_controlling;  // tiebreaker when the sender is controlling
  std::optional<uint64_t> ice_controlled;   // tiebreaker when the sender is controlled
  bool use_candidate = false;
  std::string_view software;
  bool fingerprint = true;
};

class StunMessageBuilder {
 public:
  using Output = base::Result<std::span<const uint8_t>, StunError>;

  StunMessageBuilder(std::span<uint8_t> out, StunClass klass, uint16_t method,
                     std::span<const uint8_t, kStunTransactionIdSize> transaction_id);

  bool ok() const { return !error_.has_value(); }
  size_t size() const { return size_; }

  // Any attribute; the value is padded with zeros to a multiple of 4 (§14).
  StunMessageBuilder& AddAttribute(uint16_t type, std::span<const uint8_t> value);
  StunMessageBuilder& AddText(uint16_t type, std::string_view text);
  StunMessageBuilder& AddUsername(std::string_view username) {
    return AddText(stun_attr::kUsername, username);
  }
  StunMessageBuilder& AddSoftware(std::string_view software) {
    return AddText(stun_attr::kSoftware, software);
  }
  StunMessageBuilder& AddRealm(std::string_view realm) { return AddText(stun_attr::kRealm, realm); }
  StunMessageBuilder& AddNonce(std::string_view nonce) { return AddText(stun_attr::kNonce, nonce); }
  StunMessageBuilder& AddPriority(uint32_t priority);
  StunMessageBuilder& AddUseCandidate();
  StunMessageBuilder& AddIceControlling(uint64_t tiebreaker);
  StunMessageBuilder& AddIceControlled(uint64_t tiebreaker);
  StunMessageBuilder& AddXorMappedAddress(const TransportAddress& address);
  StunMessageBuilder& AddMappedAddress(const TransportAddress& address);
  // `reason` empty = stun_code::DefaultReason(code). Codes outside 300-699 are rejected.
  StunMessageBuilder& AddErrorCode(uint16_t code, std::string_view reason = {});
  StunMessageBuilder& AddUnknownAttributes(std::span<const uint16_t> types);
  StunMessageBuilder& AddMessageIntegrity(std::span<const uint8_t> key);
  // `length` 16..32, a multiple of 4: the HMAC-SHA256 truncated as §14.6 allows.
  StunMessageBuilder& AddMessageIntegritySha256(std::span<const uint8_t> key, size_t length = 32);
  StunMessageBuilder& AddFingerprint();

  // The finished message (a view into the caller's buffer) or the first error.
  Output Finish() const;

  // --- Whole messages -------------------------------------------------------------------------
  // An ICE connectivity check (for tests, the load generator and relay links).
  static Output BindingRequest(std::span<uint8_t> out, const StunBindingRequestParams& params);
  // The answer to a valid check (RFC 8445 §7.3.1.1): XOR-MAPPED-ADDRESS = the request's source,
  // MESSAGE-INTEGRITY with the same key that verified the request, FINGERPRINT.
  static Output BindingSuccess(std::span<uint8_t> out,
                               std::span<const uint8_t, kStunTransactionIdSize> transaction_id,
                               const TransportAddress& mapped, std::span<const uint8_t> key);
  // An error response to `method` with the request's transaction id: 400, 401, 420 (with
  // UNKNOWN-ATTRIBUTES = `unknown`), 487, ... `key` empty = no MESSAGE-INTEGRITY (401 and 400
  // answer requests whose credentials could not be checked, §6.3.4); FINGERPRINT always.
  static Output ErrorResponse(std::span<uint8_t> out, uint16_t method,
                              std::span<const uint8_t, kStunTransactionIdSize> transaction_id, uint16_t code,
                              std::span<const uint8_t> key = {}, std::span<const uint16_t> unknown = {},
                              std::string_view reason = {});
  // The 420 answer to a request whose unknown comprehension-required attributes Parse() listed
  // (§6.3.1.1), or nullopt when it has none.
  static std::optional<Output> UnknownAttributesResponse(std::span<uint8_t> out, const StunMessage& request,
                                                         std::span<const uint8_t> key = {});

 private:
  // Reserves header + padded value, writes the TLV header, updates the length; nullptr on error.
  uint8_t* Append(uint16_t type, size_t value_length);
  StunMessageBuilder& AddAddress(uint16_t type, const TransportAddress& address, bool xored);
  StunMessageBuilder& Fail(StunError error);

  std::span<uint8_t> out_;
  size_t size_ = 0;
  std::optional<StunError> error_;
};

}  // namespace cascade::ice
