#include "edge/Negotiation.hpp"

#include <algorithm>

#include "core/codecs/CodecTable.hpp"
#include "core/ice/IceCredentials.hpp"
#include "core/net/HttpMessage.hpp"
#include "core/sdp/AnswerBuilder.hpp"
#include "core/sdp/SdpParser.hpp"
#include "core/sdp/SdpSerializer.hpp"
#include "core/sdp/SdpText.hpp"

namespace cascade::edge {
namespace {

// rtcp-fb types: draft-holmer-rmcat-transport-wide-cc-extensions-01, draft-alvestrand-rmcat-remb.
constexpr std::string_view kTransportCcFeedback = "transport-cc";
constexpr std::string_view kRembFeedback = "goog-remb";

// Transport-cc needs both the transport-wide-cc extension and rtcp-fb transport-cc; REMB
// (with abs-send-time) stays for clients that only do REMB.
std::vector<std::string> HeaderExtensionsFor(SessionKind kind) {
  using rtp::ExtensionUri;
  std::vector<ExtensionUri> uris;
  if (kind == SessionKind::kPublisher) {
    uris = {ExtensionUri::kMid, ExtensionUri::kRid, ExtensionUri::kRepairedRid};
  }
  // Viewers demultiplex by the SSRCs we announce, so only extensions we forward are offered.
  // Their transport-wide sequence number goes per viewer into the slot the publisher's
  // packets carry once publishers negotiate transport-cc too (NegotiationPolicy).
  uris.insert(uris.end(),
              {ExtensionUri::kAudioLevel, ExtensionUri::kAbsSendTime, ExtensionUri::kTransportWideCc});
  std::vector<std::string> out;
  for (auto uri : uris) out.emplace_back(rtp::ToUri(uri));
  return out;
}

bool HasFeedback(const sdp::MediaDescription& media, std::string_view type) {
  return std::any_of(media.rtcp_fbs.begin(), media.rtcp_fbs.end(),
                     [&](const sdp::RtcpFb& fb) { return fb.type == type; });
}

// The answer's rtx payload types (RFC 4588 §8.6), each recorded on the payload type it repairs.
void RecordRtx(const sdp::MediaDescription& media, NegotiatedSession& out) {
  for (const auto& map : media.rtpmaps) {
    if (!sdp::EqualsIgnoreCase(map.encoding, codecs::kRtxSdpName) || map.payload_type >= 128) continue;
    const sdp::Fmtp* fmtp = media.FindFmtp(map.payload_type);
    const std::string* apt_text = fmtp ? fmtp->Find(codecs::kRtxAptFmtpKey) : nullptr;
    auto apt = apt_text ? sdp::text::ParseUint(*apt_text, 127) : std::nullopt;
    if (!apt || !out.payload_types[*apt].valid) continue;
    out.payload_types[*apt].rtx_payload_type = static_cast<uint8_t>(map.payload_type);
  }
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
                            uint32_t audio_ssrc, uint32_t video_ssrc, uint32_t video_rtx_ssrc,
                            const std::string& cname, const NegotiationPolicy& policy) {
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
  // Codecs, feedback (nack, pli, fir, goog-remb, transport-cc) and rtx: AnswerOptions'
  // defaults, which come from codecs::CodecTable.
  options.header_extensions = HeaderExtensionsFor(kind);
  if (kind == SessionKind::kPublisher && !policy.publisher_transport_cc) {
    // Measured with Chromium 156 (tests/browser/test_whip_whep.mjs): transport-cc negotiated
    // but never answered with feedback pulls its send-side estimate down to 84-236 kbit/s
    // within 15 s (62 kbit/s with the extension alone, without the rtcp-fb), where REMB
    // alone lets it climb to our 5 Mbit/s cap; so publishers get it only once the room
    // sends the feedback.
    std::erase_if(options.rtcp_feedback,
                  [](const sdp::RtcpFbCapability& f) { return f.type == kTransportCcFeedback; });
    std::erase(options.header_extensions, std::string(rtp::ToUri(rtp::ExtensionUri::kTransportWideCc)));
  }
  // No RTX from publishers yet: the room would have to unwrap it (RFC 4588 §4) before the
  // cache, so they retransmit as plain RTP on the original SSRC (RFC 4585 generic NACK).
  // Viewers get rtx when we have an SSRC for it.
  if (kind == SessionKind::kPublisher || video_rtx_ssrc == 0) {
    std::erase_if(options.codecs, [](const sdp::CodecCapability& c) {
      return sdp::EqualsIgnoreCase(c.name, codecs::kRtxSdpName);
    });
  }
  if (kind == SessionKind::kPublisher) {
    options.default_direction = sdp::Direction::kRecvOnly;
  } else {
    options.default_direction = sdp::Direction::kSendOnly;
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
        // RFC 4588 §8.7: the answer groups the rtx SSRC with the video one when rtx is negotiated.
        section.send = sdp::SendStream{video_ssrc, video_rtx_ssrc, cname, "cascade", "video"};
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

  bool transport_cc_feedback = false;
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
      const codecs::CodecDescription* codec = codecs::FindCodecBySdpName(map.encoding);
      if (!codec || map.payload_type >= 128) continue;
      bool audio_codec = codec->media == codecs::MediaType::kAudio;
      if (audio_codec != (track == TrackKind::kAudio)) continue;
      out.payload_types[map.payload_type] = {track, codec->kind,
                                             map.clock_rate ? map.clock_rate : codec->clock_rate, true};
    }
    RecordRtx(media, out);
    for (const auto& group : media.ssrc_groups) {
      if (track == TrackKind::kVideo && group.semantics == "FID" && group.ssrcs.size() == 2)
        out.video_rtx_ssrc = group.ssrcs[1];
    }
    out.remb = out.remb || HasFeedback(media, kRembFeedback);
    transport_cc_feedback = transport_cc_feedback || HasFeedback(media, kTransportCcFeedback);
    for (const auto& ext : media.extmaps) {
      if (ext.id == 0 || ext.id > 255) continue;
      auto uri = rtp::ExtensionUriFromString(ext.uri);
      out.extension_by_id[ext.id] = uri;
      if (uri != rtp::ExtensionUri::kUnknown)
        out.id_by_extension[static_cast<size_t>(uri)] = static_cast<uint8_t>(ext.id);
    }
  }
  out.transport_cc = transport_cc_feedback && out.TransportCcExtensionId() != 0;
  if (!out.has_audio && !out.has_video) throw net::HttpError(400, "offer has no audio or video we can use");
  return out;
}

}  // namespace cascade::edge
