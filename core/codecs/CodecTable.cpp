#include "core/codecs/CodecTable.hpp"

#include <array>
#include <string>

#include "core/base/Ascii.hpp"
#include "core/codecs/Av1.hpp"
#include "core/codecs/H264.hpp"
#include "core/codecs/Opus.hpp"
#include "core/codecs/Vp8.hpp"
#include "core/codecs/Vp9.hpp"

namespace cascade::codecs {
namespace {

constexpr std::array<CodecDescription, static_cast<size_t>(CodecKind::kCount)> kCodecs = {{
    {CodecKind::kOpus, "opus", "opus", 48000, 2, MediaType::kAudio, "", InspectOpus},
    {CodecKind::kVp8, "vp8", "VP8", 90000, 0, MediaType::kVideo, "", InspectVp8},
    {CodecKind::kVp9, "vp9", "VP9", 90000, 0, MediaType::kVideo, "profile-id", InspectVp9},
    {CodecKind::kH264, "h264", "H264", 90000, 0, MediaType::kVideo, "", InspectH264},
    {CodecKind::kAv1, "av1", "AV1", 90000, 0, MediaType::kVideo, "profile", InspectAv1},
}};

constexpr bool RowsInKindOrder() {
  for (size_t i = 0; i < kCodecs.size(); ++i) {
    if (static_cast<size_t>(kCodecs[i].kind) != i) return false;
  }
  return true;
}
static_assert(RowsInKindOrder(), "Describe() indexes the table by CodecKind");

}  // namespace

std::span<const CodecDescription> AllCodecs() { return kCodecs; }

const CodecDescription& Describe(CodecKind kind) { return kCodecs[static_cast<size_t>(kind)]; }

const CodecDescription* FindCodecBySdpName(std::string_view encoding) {
  for (const auto& codec : kCodecs) {
    if (base::EqualsAsciiIgnoreCase(codec.sdp_name, encoding)) return &codec;
  }
  return nullptr;
}

const CodecDescription* FindCodecByName(std::string_view name) {
  for (const auto& codec : kCodecs) {
    if (name == codec.name) return &codec;
  }
  return nullptr;
}

std::string RtpMapValue(const CodecDescription& codec) {
  std::string value = std::string(codec.sdp_name) + "/" + std::to_string(codec.clock_rate);
  if (codec.channels != 0) value += "/" + std::to_string(codec.channels);
  return value;
}

const char* ToString(CodecKind codec) { return codec < CodecKind::kCount ? Describe(codec).name : "unknown"; }

}  // namespace cascade::codecs
