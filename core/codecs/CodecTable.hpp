#pragma once
// Every codec the media path forwards, one row each: its stable name (logs, metrics and the
// codec field of link announces between nodes, so never rename one), its SDP encoding name
// (the a=rtpmap encoding, RFC 8866 §6.6), clock rate and channels, audio or video, the fmtp
// key of its profile, and the payload inspector the forwarder calls per packet. Rows are in
// our order of preference. A new codec is a CodecKind value plus a row here: negotiation
// (core/sdp AnswerOptions, edge/Negotiation), link messages and inspection read this table.
//
//   if (const CodecDescription* codec = FindCodecBySdpName(rtpmap.encoding)) ...  // "vp8", "VP8"
//   auto info = Describe(CodecKind::kVp8).inspect(payload);
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/base/Result.hpp"
#include "core/codecs/CodecError.hpp"
#include "core/codecs/PayloadInfo.hpp"

namespace cascade::codecs {

enum class MediaType : uint8_t { kAudio, kVideo };

using PayloadInspectorFn = base::Result<PayloadInfo, CodecError> (*)(std::span<const uint8_t> payload);

struct CodecDescription {
  CodecKind kind;
  const char* name;      // lower case and stable: "vp8"
  const char* sdp_name;  // as browsers write it in a=rtpmap: "VP8" (matched case-insensitively)
  uint32_t clock_rate;
  uint8_t channels;  // audio channels in a=rtpmap (0: video, none written)
  MediaType media;
  // The fmtp parameter naming the profile (VP9 profile-id, draft-ietf-payload-vp9 §6; AV1
  // profile, AV1 RTP spec §7.2), absent meaning 0; "" when the codec has none. H.264's
  // profile-level-id is structured and handled by core/sdp/H264ProfileLevelId.
  const char* profile_fmtp_key;
  PayloadInspectorFn inspect;
};

// RFC 4588 §8.6: the retransmission format. Not a codec: each rtx payload type repairs one
// codec payload type (its apt).
inline constexpr std::string_view kRtxSdpName = "rtx";
inline constexpr std::string_view kRtxAptFmtpKey = "apt";

// Every row, CodecKind order (which is also our order of preference).
std::span<const CodecDescription> AllCodecs();
// `kind` must be below CodecKind::kCount.
const CodecDescription& Describe(CodecKind kind);
// nullptr for a name no row has (PCMU, H265, rtx, red, ...).
const CodecDescription* FindCodecBySdpName(std::string_view encoding);
const CodecDescription* FindCodecByName(std::string_view name);
// The a=rtpmap value after the payload type: "VP8/90000", "opus/48000/2".
std::string RtpMapValue(const CodecDescription& codec);

// The stable name, "unknown" for kCount.
const char* ToString(CodecKind codec);

}  // namespace cascade::codecs
