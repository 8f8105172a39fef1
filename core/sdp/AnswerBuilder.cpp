#include "core/sdp/AnswerBuilder.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/codecs/CodecTable.hpp"
#include "core/sdp/H264ProfileLevelId.hpp"
#include "core/sdp/SdpText.hpp"

namespace cascade::sdp {
namespace {

using base::Fail;

NegotiationError Error(NegotiationErrorKind kind, std::string message) {
  return NegotiationError{kind, std::move(message)};
}

std::string MidName(const MediaDescription& m) { return m.mid ? "'" + *m.mid + "'" : std::string("(none)"); }

// RFC 3551 §6: static payload types a browser may offer without a=rtpmap.
std::optional<RtpMap> StaticRtpMap(uint8_t pt) {
  switch (pt) {
    case 0: return RtpMap{0, "PCMU", 8000, 0};
    case 8: return RtpMap{8, "PCMA", 8000, 0};
    case 9: return RtpMap{9, "G722", 8000, 0};
    default: return std::nullopt;
  }
}

std::optional<RtpMap> OfferedRtpMap(const MediaDescription& m, uint8_t pt) {
  if (const RtpMap* r = m.FindRtpMap(pt)) return *r;
  return StaticRtpMap(pt);
}

uint64_t FmtpNumber(const Fmtp* fmtp, std::string_view key, uint64_t fallback) {
  if (!fmtp) return fallback;
  const std::string* v = fmtp->Find(key);
  if (!v) return fallback;
  return text::ParseUint(*v, 0xFFFF).value_or(0xFFFFFFFF);  // unparsable never matches
}

// Returns the fmtp to answer with when `cap` accepts the offered payload type.
std::optional<Fmtp> MatchCodec(const CodecCapability& cap, const MediaDescription& m, const RtpMap& offered) {
  if (!EqualsIgnoreCase(cap.name, offered.encoding) || cap.clock_rate != offered.clock_rate)
    return std::nullopt;
  uint16_t channels = offered.channels == 0 ? 1 : offered.channels;
  if (cap.channels != 0 && cap.channels != channels) return std::nullopt;
  const Fmtp* fmtp = m.FindFmtp(offered.payload_type);
  Fmtp answer = fmtp ? *fmtp : Fmtp{offered.payload_type, {}};
  const codecs::CodecDescription* codec = codecs::FindCodecBySdpName(cap.name);
  if (codec && codec->kind == codecs::CodecKind::kH264) {
    // RFC 6184 §8.2.2: packetization-mode must match (absent means 0) and the profile must
    // be one we decode; the level is ours at most unless level-asymmetry-allowed=1.
    if (FmtpNumber(fmtp, "packetization-mode", 0) != cap.h264_packetization_mode) return std::nullopt;
    const std::string* plid_text = fmtp ? fmtp->Find("profile-level-id") : nullptr;
    auto offered_id =
        ParseH264ProfileLevelId(plid_text ? std::string_view(*plid_text) : kH264DefaultProfileLevelId);
    if (!offered_id) return std::nullopt;
    std::optional<H264ProfileLevelId> ours;
    for (const auto& text_id : cap.h264_profile_level_ids) {
      auto id = ParseH264ProfileLevelId(text_id);
      if (id && id->profile == offered_id->profile) {
        ours = id;
        break;
      }
    }
    if (!ours) return std::nullopt;
    bool asymmetric = FmtpNumber(fmtp, "level-asymmetry-allowed", 0) == 1;
    if (!asymmetric && ours->level_idc < offered_id->level_idc) {
      H264ProfileLevelId answered = *offered_id;
      answered.level_idc = ours->level_idc;
      bool replaced = false;
      for (auto& p : answer.params) {
        if (EqualsIgnoreCase(p.key, "profile-level-id")) {
          p.value = FormatH264ProfileLevelId(answered);
          replaced = true;
        }
      }
      if (!replaced)
        answer.params.push_back(FmtpParam{"profile-level-id", FormatH264ProfileLevelId(answered)});
    }
    return answer;
  }
  if (codec && *codec->profile_fmtp_key) {
    // VP9: profile-id (draft-ietf-payload-vp9 §6), AV1: profile (AV1 RTP spec §7.2); default 0.
    uint64_t profile = FmtpNumber(fmtp, codec->profile_fmtp_key, 0);
    if (std::find(cap.profiles.begin(), cap.profiles.end(), profile) == cap.profiles.end())
      return std::nullopt;
  }
  return answer;
}

bool IsRtx(std::string_view encoding) { return EqualsIgnoreCase(encoding, codecs::kRtxSdpName); }

bool SupportsRtcpFb(const AnswerOptions& options, const RtcpFb& fb) {
  for (const auto& cap : options.rtcp_feedback) {
    if (cap.type == fb.type && cap.parameter == fb.parameter) return true;
  }
  return false;
}

bool SupportsExtension(const AnswerOptions& options, std::string_view uri) {
  return std::find(options.header_extensions.begin(), options.header_extensions.end(), uri) !=
         options.header_extensions.end();
}

// RFC 3264 §6.1: what we can do given what we want and what the offerer allows.
Direction Negotiate(Direction ours, Direction offered) {
  Direction allowed = Reverse(offered);
  bool send = (ours == Direction::kSendOnly || ours == Direction::kSendRecv) &&
              (allowed == Direction::kSendOnly || allowed == Direction::kSendRecv);
  bool recv = (ours == Direction::kRecvOnly || ours == Direction::kSendRecv) &&
              (allowed == Direction::kRecvOnly || allowed == Direction::kSendRecv);
  if (send && recv) return Direction::kSendRecv;
  if (send) return Direction::kSendOnly;
  if (recv) return Direction::kRecvOnly;
  return Direction::kInactive;
}

bool IsDtlsSrtp(const std::string& proto) {
  // RFC 5764 §8, RFC 7850: the DTLS-SRTP profiles browsers offer.
  return proto == "UDP/TLS/RTP/SAVPF" || proto == "UDP/TLS/RTP/SAVP" || proto == "TCP/DTLS/RTP/SAVPF" ||
         proto == "RTP/SAVPF";
}

MediaDescription Rejected(const MediaDescription& offered) {
  // RFC 8829 §5.3.1 / RFC 3264 §6: port 0, same media and proto, the mid kept.
  MediaDescription m;
  m.kind = offered.kind;
  m.media = offered.media;
  m.port = 0;
  m.proto = offered.proto;
  m.formats = offered.formats;
  m.mid = offered.mid;
  return m;
}

class Builder {
 public:
  Builder(const SessionDescription& offer, const AnswerOptions& options) : offer_(offer), options_(options) {}

  base::Result<SessionDescription, NegotiationError> Run();

 private:
  // Fills the transport part (ICE, DTLS, candidates) of an accepted section.
  void AddTransport(MediaDescription& m) const;
  // Returns false with `reason` set when the section cannot be used.
  bool AnswerRtp(const MediaDescription& offered, MediaDescription& m, std::string& reason,
                 bool& no_codec) const;
  bool AnswerData(const MediaDescription& offered, MediaDescription& m, std::string& reason) const;

  const SessionDescription& offer_;
  const AnswerOptions& options_;
  SetupRole our_setup_ = SetupRole::kPassive;
  bool sending_ = false;
};

void Builder::AddTransport(MediaDescription& m) const {
  m.port = 9;  // RFC 8829 §5.3.1: the discard port when the default candidate is unknown
  m.connection = Connection{"IN", "IP4", "0.0.0.0"};
  if (!options_.candidates.empty()) {
    const Candidate& c = options_.candidates.front();
    m.port = c.port;
    m.connection = Connection{"IN", c.address.find(':') != std::string::npos ? "IP6" : "IP4", c.address};
  }
  m.candidates = options_.candidates;
  m.end_of_candidates = options_.end_of_candidates;
  m.ice_ufrag = options_.ice_ufrag;
  m.ice_pwd = options_.ice_pwd;
  m.fingerprints = {options_.fingerprint};
  m.setup = our_setup_;
}

bool Builder::AnswerRtp(const MediaDescription& offered, MediaDescription& m, std::string& reason,
                        bool& no_codec) const {
  if (!IsDtlsSrtp(offered.proto)) {
    reason = "proto " + offered.proto + " is not DTLS-SRTP";
    return false;
  }
  // Primary codecs in our order of preference, each followed by its rtx (RFC 4588 §8.1).
  std::vector<uint8_t> primaries;
  for (const auto& cap : options_.codecs) {
    if (cap.kind != offered.kind || IsRtx(cap.name)) continue;
    for (const auto& f : offered.formats) {
      auto pt = static_cast<uint8_t>(text::ParseUint(f, 127).value_or(0));
      if (std::find(primaries.begin(), primaries.end(), pt) != primaries.end()) continue;
      auto rtpmap = OfferedRtpMap(offered, pt);
      if (!rtpmap) continue;
      auto fmtp = MatchCodec(cap, offered, *rtpmap);
      if (!fmtp) continue;
      primaries.push_back(pt);
      m.formats.push_back(f);
      m.rtpmaps.push_back(*rtpmap);
      for (const auto& fb : offered.RtcpFbsFor(pt)) {
        if (!SupportsRtcpFb(options_, fb)) continue;
        RtcpFb ours{pt, fb.type, fb.parameter};
        if (std::find(m.rtcp_fbs.begin(), m.rtcp_fbs.end(), ours) == m.rtcp_fbs.end())
          m.rtcp_fbs.push_back(ours);
      }
      if (!fmtp->params.empty()) m.fmtps.push_back(std::move(*fmtp));
    }
  }
  if (primaries.empty()) {
    std::string names;
    for (const auto& f : offered.formats) {
      auto pt = static_cast<uint8_t>(text::ParseUint(f, 127).value_or(0));
      if (auto r = OfferedRtpMap(offered, pt)) names += (names.empty() ? "" : ", ") + r->encoding;
    }
    reason = "no supported " + std::string(ToString(offered.kind)) + " codec among [" + names + "]";
    no_codec = true;
    return false;
  }
  bool rtx_supported = false;
  for (const auto& cap : options_.codecs) {
    if (cap.kind == offered.kind && IsRtx(cap.name)) rtx_supported = true;
  }
  if (rtx_supported) {
    for (const auto& f : offered.formats) {
      auto pt = static_cast<uint8_t>(text::ParseUint(f, 127).value_or(0));
      const RtpMap* r = offered.FindRtpMap(pt);
      const Fmtp* fmtp = offered.FindFmtp(pt);
      if (!r || !IsRtx(r->encoding) || !fmtp) continue;
      // RFC 4588 §8.6: apt names the payload type this one repairs.
      const std::string* apt_text = fmtp->Find(codecs::kRtxAptFmtpKey);
      auto apt = text::ParseUint(apt_text ? *apt_text : std::string(), 127);
      if (!apt || std::find(primaries.begin(), primaries.end(), *apt) == primaries.end()) continue;
      // A payload type listed twice in the offer's m= line is answered once.
      if (m.FindRtpMap(pt)) continue;
      m.formats.push_back(f);
      m.rtpmaps.push_back(*r);
      m.fmtps.push_back(*fmtp);
    }
  }

  // RFC 8285 §6: the answer reuses the offered ids; directions are mirrored.
  for (const auto& e : offered.extmaps) {
    if (!SupportsExtension(options_, e.uri)) continue;
    Extmap ours = e;
    if (ours.direction) ours.direction = Reverse(*ours.direction);
    m.extmaps.push_back(std::move(ours));
  }
  m.extmap_allow_mixed = offered.extmap_allow_mixed && options_.extmap_allow_mixed;
  m.rtcp_mux = true;
  m.rtcp_rsize = offered.rtcp_rsize && options_.rtcp_rsize;

  const SectionOptions* section = options_.FindSection(*offered.mid);
  Direction wanted = section ? section->direction : options_.default_direction;
  Direction direction = Negotiate(wanted, offered.EffectiveDirection());
  m.direction = direction;
  bool we_send = direction == Direction::kSendOnly || direction == Direction::kSendRecv;
  bool we_recv = direction == Direction::kRecvOnly || direction == Direction::kSendRecv;

  if (we_send && section && section->send) {
    const SendStream& s = *section->send;
    m.msids.push_back(Msid{s.stream_id, s.track_id});
    bool rtx = s.rtx_ssrc != 0 && m.rtpmaps.size() > primaries.size();
    if (rtx) m.ssrc_groups.push_back(SsrcGroup{"FID", {s.ssrc, s.rtx_ssrc}});  // RFC 4588 §8.7
    for (uint32_t ssrc : rtx ? std::vector<uint32_t>{s.ssrc, s.rtx_ssrc} : std::vector<uint32_t>{s.ssrc}) {
      m.ssrcs.push_back(SsrcAttribute{ssrc, "cname", s.cname});
      if (!s.stream_id.empty())
        m.ssrcs.push_back(SsrcAttribute{ssrc, "msid", s.stream_id + " " + s.track_id});
    }
  }

  // RFC 8853 §5.3: receive the offered send simulcast; rids answered with recv (RFC 8851 §4).
  if (we_recv && offered.simulcast && !offered.simulcast->send.empty()) {
    Simulcast sc;
    for (const auto& stream : offered.simulcast->send) {
      SimulcastStream kept;
      for (const auto& alt : stream) {
        auto it = std::find_if(offered.rids.begin(), offered.rids.end(), [&](const Rid& r) {
          return r.id == alt.rid && r.direction == RidDirection::kSend;
        });
        if (it == offered.rids.end()) continue;
        Rid rid = *it;
        rid.direction = RidDirection::kRecv;
        if (!rid.payload_types.empty()) {
          std::erase_if(rid.payload_types, [&](uint8_t pt) {
            return std::find(primaries.begin(), primaries.end(), pt) == primaries.end();
          });
          if (rid.payload_types.empty()) continue;  // RFC 8851 §5: no usable format left
        }
        if (std::none_of(m.rids.begin(), m.rids.end(), [&](const Rid& r) { return r.id == rid.id; })) {
          m.rids.push_back(std::move(rid));
        }
        kept.push_back(alt);
      }
      if (!kept.empty()) sc.recv.push_back(std::move(kept));
    }
    if (!sc.recv.empty())
      m.simulcast = std::move(sc);
    else
      m.rids.clear();
  }
  return true;
}

bool Builder::AnswerData(const MediaDescription& offered, MediaDescription& m, std::string& reason) const {
  if (!options_.data_channels) {
    reason = "data channels are disabled";
    return false;
  }
  bool legacy = offered.proto == "DTLS/SCTP";
  bool datachannel = legacy ? (offered.sctpmap && offered.sctpmap->app == "webrtc-datachannel")
                            : std::find(offered.formats.begin(), offered.formats.end(),
                                        "webrtc-datachannel") != offered.formats.end();
  if (!datachannel) {
    reason = "application section is not webrtc-datachannel";
    return false;
  }
  if (legacy) {
    // draft-ietf-mmusic-sctp-sdp-05: the format is the SCTP port, described by a=sctpmap.
    m.formats = {std::to_string(options_.sctp_port)};
    m.sctpmap = Sctpmap{options_.sctp_port, "webrtc-datachannel", offered.sctpmap->streams.value_or(1024)};
  } else {
    // RFC 8841 §5.1, §6.1
    m.formats = {"webrtc-datachannel"};
    m.sctp_port = options_.sctp_port;
  }
  m.max_message_size = options_.max_message_size;
  return true;
}

base::Result<SessionDescription, NegotiationError> Builder::Run() {
  if (options_.ice_ufrag.empty() || options_.ice_pwd.empty() || !text::IsIceChars(options_.ice_ufrag) ||
      !text::IsIceChars(options_.ice_pwd)) {
    return Fail(Error(NegotiationErrorKind::kBadOptions, "our ICE ufrag/pwd are missing or not ice-chars"));
  }
  if (options_.fingerprint.algorithm.empty() || options_.fingerprint.value.empty()) {
    return Fail(Error(NegotiationErrorKind::kBadOptions, "our DTLS fingerprint is missing"));
  }
  if (offer_.media.empty())
    return Fail(Error(NegotiationErrorKind::kNoMediaSections, "offer has no m= sections"));

  // RFC 8829 §5.2.1: every m= section carries a mid; they are unique (RFC 5888 §4).
  for (size_t i = 0; i < offer_.media.size(); ++i) {
    const auto& m = offer_.media[i];
    if (!m.mid) {
      return Fail(Error(NegotiationErrorKind::kMissingMid, "m= section " + std::to_string(i) + " (" +
                                                               m.media + ") has no a=mid (RFC 8829 §5.2.1)"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (offer_.media[j].mid == m.mid) {
        return Fail(
            Error(NegotiationErrorKind::kDuplicateMid, "a=mid:" + *m.mid + " is used by two m= sections"));
      }
    }
  }
  // RFC 9143: we run every section over one transport, so the offer must bundle them.
  const Group* bundle = offer_.BundleGroup();
  if (!bundle || bundle->mids.empty()) {
    return Fail(Error(NegotiationErrorKind::kMissingBundle,
                      "offer has no a=group:BUNDLE; all media must share one transport (RFC 9143)"));
  }
  // The offerer's BUNDLE tag (RFC 9143 §7.2.1) carries the transport: the first mid of the
  // group naming a section that is not rejected. Bundle-only sections carry no transport.
  const MediaDescription* tagged = nullptr;
  for (const auto& mid : bundle->mids) {
    const MediaDescription* m = offer_.FindMedia(mid);
    if (m && (m->port != 0 || m->bundle_only)) {
      tagged = m;
      break;
    }
  }
  if (!tagged) {
    return Fail(Error(NegotiationErrorKind::kMissingBundle, "a=group:BUNDLE names no active m= section"));
  }
  bool has_ufrag = tagged->ice_ufrag || offer_.ice_ufrag;
  bool has_pwd = tagged->ice_pwd || offer_.ice_pwd;
  if (!has_ufrag || !has_pwd) {
    return Fail(Error(NegotiationErrorKind::kMissingIceCredentials,
                      "offer has no a=ice-ufrag/a=ice-pwd for mid " + MidName(*tagged) + " (RFC 8839 §5.4)"));
  }
  if (tagged->fingerprints.empty() && offer_.fingerprints.empty()) {
    return Fail(Error(NegotiationErrorKind::kMissingFingerprint,
                      "offer has no a=fingerprint for mid " + MidName(*tagged) + " (RFC 8122, RFC 5763 §5)"));
  }
  // RFC 4145 §4 / RFC 8842 §5.3: the answerer picks active or passive for actpass; an
  // absent a=setup means active.
  SetupRole offered_setup = tagged->setup.value_or(offer_.setup.value_or(SetupRole::kActive));
  switch (offered_setup) {
    case SetupRole::kActPass:
      our_setup_ = options_.setup == SetupRole::kActive ? SetupRole::kActive : SetupRole::kPassive;
      break;
    case SetupRole::kActive: our_setup_ = SetupRole::kPassive; break;
    case SetupRole::kPassive: our_setup_ = SetupRole::kActive; break;
    default:
      return Fail(Error(NegotiationErrorKind::kBadSetup, "offer has a=setup:holdconn; cannot start DTLS"));
  }

  SessionDescription answer;
  answer.origin = Origin{"-", options_.session_id, options_.session_version, "IN", "IP4", "127.0.0.1"};
  answer.session_name = "-";
  answer.timings.emplace_back();
  answer.ice_lite = options_.ice_lite;

  Group answer_bundle{"BUNDLE", {}};
  std::string reasons;
  bool any_no_codec = false;
  for (const auto& offered : offer_.media) {
    bool in_bundle = std::find(bundle->mids.begin(), bundle->mids.end(), *offered.mid) != bundle->mids.end();
    std::string reason;
    bool no_codec = false;
    MediaDescription m;
    m.kind = offered.kind;
    m.media = offered.media;
    m.proto = offered.proto;
    m.mid = offered.mid;
    bool accepted = false;
    if (offered.port == 0 && !offered.bundle_only) {
      reason = "rejected by the offerer";
    } else if (!in_bundle) {
      reason = "not in the BUNDLE group";
    } else if (offered.kind == MediaKind::kAudio || offered.kind == MediaKind::kVideo) {
      // RFC 8843 §6 / RFC 8829 §5.1.3: bundled RTP is multiplexed with RTCP.
      if (!offered.rtcp_mux) {
        return Fail(
            Error(NegotiationErrorKind::kMissingRtcpMux,
                  "m= section mid " + MidName(offered) + " has no a=rtcp-mux (RFC 5761, RFC 8829 §5.1.3)"));
      }
      accepted = AnswerRtp(offered, m, reason, no_codec);
    } else if (offered.kind == MediaKind::kApplication && offered.IsSctp()) {
      accepted = AnswerData(offered, m, reason);
    } else {
      reason = "media " + offered.media + " " + offered.proto + " is not supported";
    }
    if (!accepted) {
      any_no_codec = any_no_codec || no_codec;
      reasons += (reasons.empty() ? "" : "; ") + std::string("mid ") + MidName(offered) + ": " + reason;
      answer.media.push_back(Rejected(offered));
      continue;
    }
    AddTransport(m);
    if (m.direction == Direction::kSendOnly || m.direction == Direction::kSendRecv) sending_ = true;
    answer_bundle.mids.push_back(*offered.mid);
    answer.media.push_back(std::move(m));
  }
  if (answer_bundle.mids.empty()) {
    return Fail(
        Error(any_no_codec ? NegotiationErrorKind::kNoSupportedCodec : NegotiationErrorKind::kNoUsableMedia,
              "no usable m= section: " + reasons));
  }
  // RFC 9143 §7.3: the answer's group lists the accepted mids in the offer's order.
  std::vector<std::string> ordered;
  for (const auto& mid : bundle->mids) {
    if (std::find(answer_bundle.mids.begin(), answer_bundle.mids.end(), mid) != answer_bundle.mids.end()) {
      ordered.push_back(mid);
    }
  }
  answer_bundle.mids = std::move(ordered);
  answer.groups.push_back(std::move(answer_bundle));
  if (sending_) answer.msid_semantic = MsidSemantic{"WMS", {"*"}};
  answer.extmap_allow_mixed = offer_.extmap_allow_mixed && options_.extmap_allow_mixed;
  for (const auto& e : offer_.extmaps) {
    if (!SupportsExtension(options_, e.uri)) continue;
    Extmap ours = e;
    if (ours.direction) ours.direction = Reverse(*ours.direction);
    answer.extmaps.push_back(std::move(ours));
  }
  return answer;
}

}  // namespace

base::Result<SessionDescription, NegotiationError> BuildAnswer(const SessionDescription& offer,
                                                               const AnswerOptions& options) {
  return Builder(offer, options).Run();
}

}  // namespace cascade::sdp
