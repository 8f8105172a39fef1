#pragma once
// What the edge brings to an answer: its ICE/DTLS identity, its candidates, the codecs,
// feedback and header extensions it handles, and per m= section its direction and (when
// it sends) the SSRCs it will use. See AnswerBuilder.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/codecs/CodecTable.hpp"
#include "core/sdp/Candidate.hpp"
#include "core/sdp/SdpTypes.hpp"

namespace cascade::sdp {

struct CodecCapability {
  MediaKind kind = MediaKind::kVideo;
  std::string name;  // a codecs::CodecTable sdp_name or rtx; matched case-insensitively with the offer
  uint32_t clock_rate = 90000;
  uint16_t channels = 0;  // 0: any
  // H.264 only (RFC 6184 §8.2.2): accepted profiles, by example profile-level-id; the level
  // is negotiated down to ours unless the offer says level-asymmetry-allowed=1.
  std::vector<std::string> h264_profile_level_ids;
  uint8_t h264_packetization_mode = 1;
  // VP9 profile-id / AV1 profile values accepted; the offer's absent parameter means 0.
  std::vector<uint8_t> profiles = {0};
};

struct RtcpFbCapability {
  std::string type;       // nack, ccm, goog-remb, transport-cc
  std::string parameter;  // pli, fir or empty
};

// One stream we send in a sendonly/sendrecv section (WHEP).
struct SendStream {
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;  // 0: no retransmission stream; used only if rtx is negotiated
  std::string cname;
  std::string stream_id;  // msid
  std::string track_id;
};

// Overrides for one offered m= section, matched by mid.
struct SectionOptions {
  std::string mid;
  Direction direction = Direction::kRecvOnly;
  std::optional<SendStream> send;
};

struct AnswerOptions {
  // Our ICE and DTLS identity (RFC 8839 §5.4, RFC 8122).
  std::string ice_ufrag;
  std::string ice_pwd;
  bool ice_lite = true;
  Fingerprint fingerprint;
  // Our DTLS role when the offer says actpass (RFC 8842 §5.3: the answerer picks).
  SetupRole setup = SetupRole::kPassive;
  std::vector<Candidate> candidates;
  bool end_of_candidates = true;  // ice-lite servers know every candidate up front

  uint64_t session_id = 1;
  uint64_t session_version = 1;

  std::vector<CodecCapability> codecs = DefaultCodecs();
  std::vector<RtcpFbCapability> rtcp_feedback = DefaultRtcpFeedback();
  std::vector<std::string> header_extensions = DefaultHeaderExtensions();
  bool rtcp_rsize = true;
  bool extmap_allow_mixed = true;

  // WHIP: we receive (recvonly). WHEP: we send (sendonly), with SectionOptions per mid.
  Direction default_direction = Direction::kRecvOnly;
  std::vector<SectionOptions> sections;

  // Data channels (RFC 8841): answered when offered and enabled.
  bool data_channels = true;
  uint16_t sctp_port = 5000;
  uint64_t max_message_size = 262144;

  const SectionOptions* FindSection(std::string_view mid) const {
    for (const auto& s : sections) {
      if (s.mid == mid) return &s;
    }
    return nullptr;
  }

  // Every codecs::CodecTable row in its order (Opus; VP8, VP9 profile 0, H.264
  // packetization-mode=1 in the constrained baseline, baseline, main and constrained high
  // families, AV1 profile 0), then rtx for video.
  static std::vector<CodecCapability> DefaultCodecs() {
    std::vector<CodecCapability> out;
    for (const auto& codec : codecs::AllCodecs()) {
      CodecCapability cap;
      cap.kind = codec.media == codecs::MediaType::kAudio ? MediaKind::kAudio : MediaKind::kVideo;
      cap.name = codec.sdp_name;
      cap.clock_rate = codec.clock_rate;
      cap.channels = codec.channels;
      if (codec.kind == codecs::CodecKind::kH264)
        cap.h264_profile_level_ids = {"42e01f", "42001f", "4d001f", "640c1f"};
      out.push_back(std::move(cap));
    }
    out.push_back(CodecCapability{MediaKind::kVideo, std::string(codecs::kRtxSdpName), 90000, 0, {}, 1, {0}});
    return out;
  }
  static std::vector<RtcpFbCapability> DefaultRtcpFeedback() {
    return {{"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}, {"goog-remb", ""}, {"transport-cc", ""}};
  }
  static std::vector<std::string> DefaultHeaderExtensions() {
    return {
        "urn:ietf:params:rtp-hdrext:sdes:mid",
        "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
        "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
        "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    };
  }
};

}  // namespace cascade::sdp
