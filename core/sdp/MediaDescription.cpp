#include "core/sdp/MediaDescription.hpp"

namespace cascade::sdp {

bool MediaDescription::IsRtp() const {
  // RFC 8866 §5.14: RTP/AVP, RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, TCP/DTLS/RTP/SAVPF...
  return proto.find("RTP/") != std::string::npos;
}

bool MediaDescription::IsSctp() const {
  // RFC 8841 §4.1: UDP/DTLS/SCTP, TCP/DTLS/SCTP; older drafts: DTLS/SCTP.
  return proto == "UDP/DTLS/SCTP" || proto == "TCP/DTLS/SCTP" || proto == "DTLS/SCTP";
}

const RtpMap* MediaDescription::FindRtpMap(uint8_t payload_type) const {
  for (const auto& r : rtpmaps) {
    if (r.payload_type == payload_type) return &r;
  }
  return nullptr;
}

const Fmtp* MediaDescription::FindFmtp(uint8_t payload_type) const {
  for (const auto& f : fmtps) {
    if (f.payload_type == payload_type) return &f;
  }
  return nullptr;
}

std::vector<RtcpFb> MediaDescription::RtcpFbsFor(uint8_t payload_type) const {
  std::vector<RtcpFb> out;
  for (const auto& fb : rtcp_fbs) {
    if (!fb.payload_type || *fb.payload_type == payload_type) out.push_back(fb);
  }
  return out;
}

const Extmap* MediaDescription::FindExtmap(std::string_view uri) const {
  for (const auto& e : extmaps) {
    if (e.uri == uri) return &e;
  }
  return nullptr;
}

const Attribute* MediaDescription::FindAttribute(std::string_view name) const {
  for (const auto& a : other_attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace cascade::sdp
