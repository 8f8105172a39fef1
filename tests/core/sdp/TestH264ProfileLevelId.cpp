#include <doctest/doctest.h>

#include "core/sdp/H264ProfileLevelId.hpp"

using namespace cascade::sdp;

TEST_CASE("H264ProfileLevelId classifies the profile families of RFC 6184") {
  struct Case {
    const char* text;
    H264Profile profile;
    uint8_t level;
  };
  Case cases[] = {
      {"42e01f", H264Profile::kConstrainedBaseline, 0x1f},
      {"42c01f", H264Profile::kConstrainedBaseline, 0x1f},
      {"4d801f", H264Profile::kConstrainedBaseline, 0x1f},
      {"42001f", H264Profile::kBaseline, 0x1f},
      {"42000a", H264Profile::kBaseline, 0x0a},
      {"4d001f", H264Profile::kMain, 0x1f},
      {"4d0032", H264Profile::kMain, 0x32},
      {"640c1f", H264Profile::kConstrainedHigh, 0x1f},
      {"640032", H264Profile::kHigh, 0x32},
      {"F4001F", H264Profile::kPredictiveHigh444, 0x1f},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto id = ParseH264ProfileLevelId(c.text);
    REQUIRE(id);
    CHECK(id->profile == c.profile);
    CHECK(id->level_idc == c.level);
  }
  for (const char* bad : {"", "42e0", "42e01fff", "zze01f", "ff001f", "6401 f"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseH264ProfileLevelId(bad));
  }
  auto id = ParseH264ProfileLevelId("4d0032");
  id->level_idc = 0x1f;
  CHECK(FormatH264ProfileLevelId(*id) == "4d001f");
}
