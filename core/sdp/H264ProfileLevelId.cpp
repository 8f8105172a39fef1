#include "core/sdp/H264ProfileLevelId.hpp"

#include <array>
#include <cstdio>

namespace cascade::sdp {
namespace {

struct Pattern {
  uint8_t profile_idc;
  uint8_t mask;   // profile-iop bits that must match
  uint8_t value;  // their value
  H264Profile profile;
};

// profile-iop constraint_set flags (ITU-T H.264 §7.4.2.1.1), as in libwebrtc's
// h264_profile_level_id.cc: x1xx0000 for Constrained Baseline on 0x42, etc.
constexpr std::array<Pattern, 9> kPatterns = {{
    {0x42, 0x4f, 0x40, H264Profile::kConstrainedBaseline},
    {0x4d, 0x8f, 0x80, H264Profile::kConstrainedBaseline},
    {0x58, 0xcf, 0xc0, H264Profile::kConstrainedBaseline},
    {0x42, 0x4f, 0x00, H264Profile::kBaseline},
    {0x58, 0xcf, 0x80, H264Profile::kBaseline},
    {0x4d, 0xaf, 0x00, H264Profile::kMain},
    {0x64, 0xff, 0x00, H264Profile::kHigh},
    {0x64, 0xff, 0x0c, H264Profile::kConstrainedHigh},
    {0xf4, 0xff, 0x00, H264Profile::kPredictiveHigh444},
}};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const char* ToString(H264Profile profile) {
  switch (profile) {
    case H264Profile::kConstrainedBaseline: return "constrained-baseline";
    case H264Profile::kBaseline: return "baseline";
    case H264Profile::kMain: return "main";
    case H264Profile::kConstrainedHigh: return "constrained-high";
    case H264Profile::kHigh: return "high";
    case H264Profile::kPredictiveHigh444: return "predictive-high-444";
    case H264Profile::kCount: break;
  }
  return "unknown";
}

std::optional<H264ProfileLevelId> ParseH264ProfileLevelId(std::string_view hex) {
  if (hex.size() != 6) return std::nullopt;
  uint8_t bytes[3];
  for (size_t i = 0; i < 3; ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  for (const auto& p : kPatterns) {
    if (p.profile_idc == bytes[0] && (bytes[1] & p.mask) == p.value) {
      return H264ProfileLevelId{p.profile, bytes[2], bytes[0], bytes[1]};
    }
  }
  return std::nullopt;
}

std::string FormatH264ProfileLevelId(const H264ProfileLevelId& id) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02x%02x%02x", id.profile_idc, id.profile_iop, id.level_idc);
  return buf;
}

}  // namespace cascade::sdp
