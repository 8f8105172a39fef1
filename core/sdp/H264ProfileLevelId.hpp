#pragma once
// H.264 profile-level-id (RFC 6184 §8.1): profile_idc, profile-iop, level_idc as six hex
// digits. Two ids name the same profile when their profile_idc/profile-iop fall in the same
// family (the table libwebrtc uses); the level may differ (RFC 6184 §8.2.2).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cascade::sdp {

enum class H264Profile : uint8_t {
  kConstrainedBaseline,
  kBaseline,
  kMain,
  kConstrainedHigh,
  kHigh,
  kPredictiveHigh444,
  kCount
};
const char* ToString(H264Profile profile);

struct H264ProfileLevelId {
  H264Profile profile = H264Profile::kConstrainedBaseline;
  uint8_t level_idc = 0;  // 10 * level, e.g. 31 (0x1f) for level 3.1
  uint8_t profile_idc = 0;
  uint8_t profile_iop = 0;
  bool operator==(const H264ProfileLevelId&) const = default;
};

// nullopt for malformed text or a profile outside the table.
std::optional<H264ProfileLevelId> ParseH264ProfileLevelId(std::string_view hex);
// RFC 6184 §8.1: an absent profile-level-id means 42000a (Baseline, level 1.0).
inline constexpr std::string_view kH264DefaultProfileLevelId = "42000a";
// Six lower-case hex digits with the level replaced.
std::string FormatH264ProfileLevelId(const H264ProfileLevelId& id);

}  // namespace cascade::sdp
