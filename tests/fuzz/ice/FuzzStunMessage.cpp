// Parses arbitrary bytes as STUN, walks every attribute, verifies integrity and FINGERPRINT, then
// re-builds a message from the parsed fields and checks the re-parse gives the same fields.
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "core/ice/StunIntegrity.hpp"
#include "core/ice/StunMessage.hpp"
#include "core/ice/StunMessageBuilder.hpp"

using namespace cascade::ice;

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool Inside(std::span<const uint8_t> outer, std::span<const uint8_t> inner) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

std::array<uint8_t, 0x10000 + 64> g_out;
std::array<uint8_t, 512> g_error_out;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  auto parsed = StunMessage::Parse(input);
  if (!parsed.ok()) return 0;
  const StunMessage& msg = *parsed;

  size_t count = 0;
  for (const StunAttribute attr : msg.attributes()) {
    Check(Inside(input, attr.value));
    ++count;
  }
  Check(count <= (size - kStunHeaderSize) / 4);
  for (uint16_t type : {stun_attr::kUsername, stun_attr::kSoftware, uint16_t{0x0003}, uint16_t{0xC001}}) {
    if (auto v = msg.Find(type)) Check(Inside(input, *v));
  }

  const std::string_view key_text = "fuzz-key";
  const auto key = StunIntegrity::ShortTermKey(key_text);
  (void)msg.VerifyIntegrity(key);
  (void)msg.VerifyMessageIntegrity(key);
  (void)msg.VerifyMessageIntegritySha256(key);
  if (msg.has_fingerprint()) {
    (void)msg.VerifyFingerprint();
  } else {
    Check(msg.VerifyFingerprint().error() == StunError::kFingerprintMissing);
  }

  // Re-build from the parsed fields.
  StunMessageBuilder b(g_out, msg.message_class(), msg.method(), msg.transaction_id());
  if (auto v = msg.username()) b.AddUsername(*v);
  if (auto v = msg.software()) b.AddSoftware(*v);
  if (auto v = msg.realm()) b.AddRealm(*v);
  if (auto v = msg.nonce()) b.AddNonce(*v);
  if (auto v = msg.priority()) b.AddPriority(*v);
  if (auto v = msg.ice_controlling()) b.AddIceControlling(*v);
  if (auto v = msg.ice_controlled()) b.AddIceControlled(*v);
  if (msg.use_candidate()) b.AddUseCandidate();
  if (auto v = msg.xor_mapped_address()) b.AddXorMappedAddress(*v);
  if (auto v = msg.mapped_address()) b.AddMappedAddress(*v);
  const auto error_code = msg.error_code();
  if (error_code) b.AddErrorCode(error_code->code, error_code->reason);
  const auto unknown = msg.unknown_attributes();
  if (unknown) b.AddUnknownAttributes(unknown->span());
  b.AddMessageIntegrity(key).AddMessageIntegritySha256(key, 16).AddFingerprint();
  auto built = b.Finish();
  if (!built.ok()) {
    // Only size limits may stop a rebuild: a reason too long for ERROR-CODE, or a message
    // past 64 KiB once the integrity attributes are added.
    Check(built.error() == StunError::kInvalidArgument);
    return 0;
  }
  auto again = StunMessage::Parse(*built);
  Check(again.ok());
  const StunMessage& re = *again;
  Check(re.message_type() == msg.message_type());
  Check(std::memcmp(re.transaction_id().data(), msg.transaction_id().data(), kStunTransactionIdSize) == 0);
  Check(re.username() == msg.username());
  Check(re.software() == msg.software());
  Check(re.realm() == msg.realm());
  Check(re.nonce() == msg.nonce());
  Check(re.priority() == msg.priority());
  Check(re.ice_controlling() == msg.ice_controlling());
  Check(re.ice_controlled() == msg.ice_controlled());
  Check(re.use_candidate() == msg.use_candidate());
  Check(re.xor_mapped_address() == msg.xor_mapped_address());
  Check(re.mapped_address() == msg.mapped_address());
  Check(re.error_code().has_value() == error_code.has_value());
  if (error_code) {
    Check(re.error_code()->code == error_code->code);
    if (!error_code->reason.empty()) Check(re.error_code()->reason == error_code->reason);
  }
  Check(re.unknown_attributes().has_value() == unknown.has_value());
  if (unknown) {
    const auto re_unknown = re.unknown_attributes();
    const auto a = re_unknown->span();
    const auto b_span = unknown->span();
    Check(a.size() == b_span.size() && std::equal(a.begin(), a.end(), b_span.begin()));
  }
  Check(re.unknown_comprehension_required().empty());
  Check(re.VerifyMessageIntegrity(key).ok());
  Check(re.VerifyMessageIntegritySha256(key).ok());
  Check(re.VerifyIntegrity(key).ok());
  Check(re.VerifyFingerprint().ok());
  Check(!re.VerifyMessageIntegrity(StunIntegrity::ShortTermKey("other")).ok());

  // A request with unknown comprehension-required attributes gets a parseable 420 listing them.
  if (auto response = StunMessageBuilder::UnknownAttributesResponse(g_error_out, msg, key)) {
    Check(!msg.unknown_comprehension_required().empty());
    Check(response->ok());
    auto err = StunMessage::Parse(**response);
    Check(err.ok());
    Check(err->error_code()->code == stun_code::kUnknownAttribute);
    const auto listed_list = err->unknown_attributes();
    const auto listed = listed_list->span();
    const auto wanted = msg.unknown_comprehension_required().span();
    Check(listed.size() == wanted.size() && std::equal(listed.begin(), listed.end(), wanted.begin()));
    Check(err->VerifyMessageIntegrity(key).ok());
    Check(err->VerifyFingerprint().ok());
  }
  return 0;
}
