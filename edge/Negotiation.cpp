#include "edge/Negotiation.hpp"

#include "core/ice/IceCredentials.hpp"
#include "core/net/HttpMessage.hpp"
#include "core/sdp/AnswerBuilder.hpp"
#include "core/sdp/SdpParser.hpp"
#include "core/sdp/SdpSerializer.hpp"

namespace cascade::edge {
namespace {

std::optional<codecs::CodecKind> CodecFromName(std::string_view name) {
  if (sdp::EqualsIgnoreCase(name, "opus")) return codecs::CodecKind::kOpus;
  if (sdp::EqualsIgnoreCase(name, "VP8")) return codecs::CodecKind::kVp8;
  if (sdp::EqualsIgnoreCase(name, "VP9")) return codecs::CodecKind::kVp9;
  if (sdp::EqualsIgnoreCase(name, "H264")) return codecs::CodecKind::kH264;
  if (sdp::EqualsIgnoreCase(name, "AV1")) return codecs::CodecKind::kAv1;
  return std::nullopt;
}

// RFC 8445 §5.1.2.1 with type preference 126 (host) and local preference 65535.
constexpr uint32_t kUdpHostPriority = (126u << 24) | (65535u << 8) | 255u;
// RFC 6544 §4.2: local preference = 2^13 * direction preference (passive: 4) + 8191, so the
// TCP candidate always ranks below the UDP one and clients use it only when UDP fails.
constexpr uint32_t kTcpPassiveHostPriority = (126u << 24) | ((8192u * 4 + 8191u) << 8) | 255u;

}  // namespace

std::vector<sdp::Candidate> LocalCandidates(const LocalIdentity& identity) {
  sdp::Candidate udp;
  udp.foundation = "1";
  udp.component = 1;
  udp.transport = "udp";
  udp.priority = kUdpHostPriority;
  udp.address = identity.candidate_ip;
  udp.port = identity.candidate_port;
  udp.type = "host";
  std::vector<sdp::Candidate> candidates = {udp};
  if (identity.tcp_candidate) {
    sdp::Candidate tcp = udp;
    tcp.foundation = "2";  // another transport: another foundation (RFC 8445 §5.1.1.3)
    tcp.transport = "tcp";
    tcp.priority = kTcpPassiveHostPriority;
    tcp.tcp_type = "passive";
    candidates.push_back(tcp);
  }
  return candidates;
}

NegotiatedSession Negotiate(const std::string& offer_sdp, SessionKind kind, const LocalIdentity& identity,
                            uint32_t audio_ssrc, uint32_t video_ssrc, const std::string& cname) {
  auto offer = sdp::ParseSdp(offer_sdp);
  if (!offer.ok()) throw net::HttpError(400, "malformed SDP offer: " + offer.error().Describe());

  sdp::AnswerOptions options;
  options.ice_ufrag = ice::RandomUfrag();
  options.ice_pwd = ice::RandomPassword();
  options.ice_lite = true;
  std::string fingerprint_text = identity.fingerprint.ToString();
  auto space = fingerprint_text.find(' ');
  options.fingerprint = {fingerprint_text.substr(0, space), fingerprint_text.substr(space + 1)};
  options.setup = sdp::SetupRole::kPassive;
  options.candidates = LocalCandidates(identity);
  // No RTX: retransmissions go as plain RTP on the original SSRC (RFC 4585 generic NACK).
  std::erase_if(options.codecs,
                [](const sdp::CodecCapability& c) { return sdp::EqualsIgnoreCase(c.name, "rtx"); });
  // Bandwidth feedback is REMB for now: we do not generate transport-cc feedback yet.
  std::erase_if(options.rtcp_feedback,
                [](const sdp::RtcpFbCapability& f) { return f.type == "transport-cc"; });
  if (kind == SessionKind::kPublisher) {
    options.default_direction = sdp::Direction::kRecvOnly;
    options.header_extensions = {
        "urn:ietf:params:rtp-hdrext:sdes:mid",
        "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
        "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
        "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    };
  } else {
    options.default_direction = sdp::Direction::kSendOnly;
    // Viewers demultiplex by the SSRCs we announce; only extensions we forward are offered.
    options.header_extensions = {
        "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    };
    bool audio_taken = false;
    bool video_taken = false;
    for (const auto& media : offer->media) {
      if (!media.mid) continue;
      sdp::SectionOptions section;
      section.mid = *media.mid;
      section.direction = sdp::Direction::kSendOnly;
      if (media.kind == sdp::MediaKind::kAudio && !audio_taken) {
        section.send = sdp::SendStream{audio_ssrc, 0, cname, "cascade", "audio"};
        audio_taken = true;
      } else if (media.kind == sdp::MediaKind::kVideo && !video_taken) {
        section.send = sdp::SendStream{video_ssrc, 0, cname, "cascade", "video"};
        video_taken = true;
      } else {
        section.direction = sdp::Direction::kInactive;
      }
      options.sections.push_back(section);
    }
  }

  auto answer = sdp::BuildAnswer(*offer, options);
  if (!answer.ok()) throw net::HttpError(400, "cannot answer this offer: " + answer.error().Describe());

  NegotiatedSession out;
  out.answer_sdp = sdp::SerializeSdp(*answer);
  out.transport.local_ufrag = options.ice_ufrag;
  out.transport.local_pwd = options.ice_pwd;

  // Transport parameters come from the BUNDLE-tag section or the session level.
  const sdp::MediaDescription* tag = nullptr;
  if (const auto* bundle = offer->BundleGroup(); bundle && !bundle->mids.empty()) {
    tag = offer->FindMedia(bundle->mids.front());
  }
  auto pick = [&](auto section_field, auto session_field) {
    if (tag && (tag->*section_field)) return *(tag->*section_field);
    return (offer.value().*session_field).value_or(std::string());
  };
  out.transport.remote_ufrag = pick(&sdp::MediaDescription::ice_ufrag, &sdp::SessionDescription::ice_ufrag);
  out.transport.remote_pwd = pick(&sdp::MediaDescription::ice_pwd, &sdp::SessionDescription::ice_pwd);
  const auto& fingerprints = tag && !tag->fingerprints.empty() ? tag->fingerprints : offer->fingerprints;
  std::optional<dtls::Fingerprint> remote_fingerprint;
  for (const auto& fp : fingerprints) {
    remote_fingerprint = dtls::Fingerprint::Parse(fp.algorithm + " " + fp.value);
    if (remote_fingerprint) break;
  }
  if (!remote_fingerprint) throw net::HttpError(400, "offer has no usable a=fingerprint");
  out.transport.remote_fingerprint = *remote_fingerprint;
  auto remote_setup = tag && tag->setup ? tag->setup : offer->setup;
  // We answered passive to actpass/active; an offer that insists on passive makes us the client.
  out.transport.dtls_role =
      remote_setup == sdp::SetupRole::kPassive ? dtls::DtlsRole::kClient : dtls::DtlsRole::kServer;

  for (const auto& media : answer->media) {
    if (media.port == 0) continue;
    if (media.IsSctp()) {
      out.transport.data_channels = true;
      out.transport.remote_max_message_size = 65536;
      if (const auto* offered = offer->FindMedia(media.mid.value_or(""))) {
        if (offered->max_message_size) {
          out.transport.remote_max_message_size =
              static_cast<uint32_t>(std::min<uint64_t>(*offered->max_message_size, 1 << 30));
        }
      }
      continue;
    }
    if (media.kind != sdp::MediaKind::kAudio && media.kind != sdp::MediaKind::kVideo) continue;
    TrackKind track = media.kind == sdp::MediaKind::kAudio ? TrackKind::kAudio : TrackKind::kVideo;
    (track == TrackKind::kAudio ? out.has_audio : out.has_video) = true;
    for (const auto& map : media.rtpmaps) {
      auto codec = CodecFromName(map.encoding);
      if (!codec || map.payload_type >= 128) continue;
      out.payload_types[map.payload_type] = {track, *codec, map.clock_rate ? map.clock_rate : 90000, true};
    }
    for (const auto& ext : media.extmaps) {
      if (ext.id == 0 || ext.id > 255) continue;
      auto uri = rtp::ExtensionUriFromString(ext.uri);
      out.extension_by_id[ext.id] = uri;
      if (uri != rtp::ExtensionUri::kUnknown)
        out.id_by_extension[static_cast<size_t>(uri)] = static_cast<uint8_t>(ext.id);
    }
  }
  if (!out.has_audio && !out.has_video) throw net::HttpError(400, "offer has no audio or video we can use");
  return out;
}

}  // namespace cascade::edge
