// Parses arbitrary bytes as SDP. On success: serialize, re-parse and require the same
// description (every field); then build an answer with fixed options and require that the
// answer, serialized, parses back to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/sdp/AnswerBuilder.hpp"
#include "core/sdp/SdpParser.hpp"
#include "core/sdp/SdpSerializer.hpp"

namespace {

const cascade::sdp::AnswerOptions& Options() {
  static const cascade::sdp::AnswerOptions options = [] {
    cascade::sdp::AnswerOptions o;
    o.ice_ufrag = "fuzzUfrag";
    o.ice_pwd = "fuzzPasswordLongEnough12";
    o.fingerprint = {"sha-256", "AA:BB:CC:DD"};
    o.candidates.push_back(*cascade::sdp::ParseCandidate("1 1 udp 2130706431 192.0.2.1 40000 typ host"));
    o.sections.push_back(
        {"1", cascade::sdp::Direction::kSendOnly, cascade::sdp::SendStream{1, 2, "c", "s", "t"}});
    return o;
  }();
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cascade::sdp;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseSdp(text);
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) __builtin_trap();
    return 0;
  }
  std::string serialized = SerializeSdp(*parsed);
  // LF input grows by one CR per line; past the size limit a re-parse is refused by design.
  if (serialized.size() <= kMaxSdpSize) {
    auto again = ParseSdp(serialized);
    if (!again.ok() || !(*again == *parsed)) __builtin_trap();
  }
  auto answer = BuildAnswer(*parsed, Options());
  if (answer.ok()) {
    auto reparsed = ParseSdp(SerializeSdp(*answer));
    if (!reparsed.ok() || !(*reparsed == *answer)) __builtin_trap();
  } else if (answer.error().message.empty()) {
    __builtin_trap();
  }
  return 0;
}
