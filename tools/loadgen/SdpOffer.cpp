#include "tools/loadgen/SdpOffer.hpp"

#include "core/codecs/CodecTable.hpp"
#include "core/sdp/SdpParser.hpp"
#include "core/sdp/SdpTypes.hpp"

namespace cascade::loadgen {

std::string BuildOffer(const OfferParams& p) {
  std::string direction = p.publish ? "sendonly" : "recvonly";
  std::string out =
      "v=0\r\n"
      "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=group:BUNDLE 0 1\r\n"
      "a=msid-semantic: WMS loadgen\r\n";
  auto section = [&](const char* media, const char* mid, uint8_t pt, const std::string& rtpmap,
                     const std::string& extra, uint32_t ssrc) {
    std::string pt_text = std::to_string(pt);
    out += std::string("m=") + media + " 9 UDP/TLS/RTP/SAVPF " + pt_text + "\r\n";
    out += "c=IN IP4 0.0.0.0\r\n";
    out += "a=rtcp:9 IN IP4 0.0.0.0\r\n";
    out += "a=candidate:1 1 udp 2130706431 " + p.candidate.ip() + " " + std::to_string(p.candidate.port()) +
           " typ host\r\n";
    out += "a=ice-ufrag:" + p.ice_ufrag + "\r\n";
    out += "a=ice-pwd:" + p.ice_pwd + "\r\n";
    out += "a=fingerprint:" + p.fingerprint.ToString() + "\r\n";
    out += "a=setup:actpass\r\n";
    out += std::string("a=mid:") + mid + "\r\n";
    out += "a=" + direction + "\r\n";
    if (p.publish) out += std::string("a=msid:loadgen ") + media + "\r\n";
    out += "a=rtcp-mux\r\n";
    out += "a=rtpmap:" + pt_text + " " + rtpmap + "\r\n";
    out += extra;
    if (p.publish) {
      out += "a=ssrc:" + std::to_string(ssrc) + " cname:loadgen\r\n";
      out += "a=ssrc:" + std::to_string(ssrc) + " msid:loadgen " + media + "\r\n";
    }
  };
  section("audio", "0", kOpusPayloadType, codecs::RtpMapValue(codecs::Describe(codecs::CodecKind::kOpus)),
          "a=fmtp:111 minptime=10;useinbandfec=1\r\n", p.audio_ssrc);
  section("video", "1", kVp8PayloadType, codecs::RtpMapValue(codecs::Describe(codecs::CodecKind::kVp8)),
          "a=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\n", p.video_ssrc);
  return out;
}

std::optional<AnswerInfo> ParseAnswer(const std::string& text, std::string& error) {
  auto sdp = sdp::ParseSdp(text);
  if (!sdp.ok()) {
    error = "malformed answer: " + sdp.error().Describe();
    return std::nullopt;
  }
  AnswerInfo info;
  std::optional<std::string> ufrag = sdp->ice_ufrag;
  std::optional<std::string> pwd = sdp->ice_pwd;
  auto fingerprints = sdp->fingerprints;
  auto setup = sdp->setup;
  std::optional<net::SocketAddress> candidate;
  for (const auto& media : sdp->media) {
    if (media.port == 0) continue;
    if (!ufrag && media.ice_ufrag) ufrag = media.ice_ufrag;
    if (!pwd && media.ice_pwd) pwd = media.ice_pwd;
    if (fingerprints.empty()) fingerprints = media.fingerprints;
    if (!setup) setup = media.setup;
    for (const auto& c : media.candidates) {
      if (!candidate && sdp::EqualsIgnoreCase(c.transport, "udp") && c.component == 1) {
        candidate = net::SocketAddress::Parse(c.address, c.port);
      }
    }
    for (const auto& map : media.rtpmaps) {
      if (map.payload_type >= 128) continue;
      const codecs::CodecDescription* codec = codecs::FindCodecBySdpName(map.encoding);
      if (codec && codec->kind == codecs::CodecKind::kOpus)
        info.audio_payload_type = static_cast<uint8_t>(map.payload_type);
      if (codec && codec->kind == codecs::CodecKind::kVp8)
        info.video_payload_type = static_cast<uint8_t>(map.payload_type);
    }
  }
  if (!ufrag || !pwd) {
    error = "answer has no ice-ufrag/ice-pwd";
    return std::nullopt;
  }
  if (!candidate) {
    error = "answer has no UDP host candidate";
    return std::nullopt;
  }
  std::optional<dtls::Fingerprint> fingerprint;
  for (const auto& fp : fingerprints) {
    fingerprint = dtls::Fingerprint::Parse(fp.algorithm + " " + fp.value);
    if (fingerprint) break;
  }
  if (!fingerprint) {
    error = "answer has no usable a=fingerprint";
    return std::nullopt;
  }
  info.ice_ufrag = *ufrag;
  info.ice_pwd = *pwd;
  info.fingerprint = *fingerprint;
  info.candidate = *candidate;
  info.our_dtls_role = setup == sdp::SetupRole::kActive ? dtls::DtlsRole::kServer : dtls::DtlsRole::kClient;
  return info;
}

}  // namespace cascade::loadgen
