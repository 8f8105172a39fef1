#pragma once
// One m= section with the attributes WebRTC uses (RFC 8866 §5.14, JSEP RFC 8829 §5.2).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sdp/Candidate.hpp"
#include "core/sdp/SdpTypes.hpp"

namespace cascade::sdp {

struct MediaDescription {
  // m=<media> <port>[/<number>] <proto> <fmt>...
  MediaKind kind = MediaKind::kOther;
  std::string media;  // the m= token as sent ("audio", "video", "application", "image"...)
  uint16_t port = 0;
  std::optional<uint16_t> port_count;
  std::string proto;                 // UDP/TLS/RTP/SAVPF, UDP/DTLS/SCTP, ...
  std::vector<std::string> formats;  // payload types for RTP, tokens otherwise

  std::optional<std::string> information;  // i=
  std::optional<Connection> connection;    // c=
  std::vector<Bandwidth> bandwidths;       // b=
  std::optional<std::string> key;          // k= (obsolete)

  std::optional<std::string> mid;
  std::optional<Direction> direction;  // nullopt: not stated (sendrecv, RFC 8866 §6.7)
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<std::string> ice_options;
  std::vector<Candidate> candidates;
  bool end_of_candidates = false;
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
  std::optional<Rtcp> rtcp;
  bool rtcp_mux = false;
  bool rtcp_mux_only = false;
  bool rtcp_rsize = false;
  bool bundle_only = false;
  bool extmap_allow_mixed = false;
  std::vector<RtpMap> rtpmaps;
  std::vector<Fmtp> fmtps;
  std::vector<RtcpFb> rtcp_fbs;
  std::vector<Extmap> extmaps;
  std::vector<SsrcAttribute> ssrcs;
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;
  std::vector<Msid> msids;
  std::optional<uint16_t> sctp_port;
  std::optional<uint64_t> max_message_size;
  std::optional<Sctpmap> sctpmap;

  std::vector<Attribute> other_attributes;  // unknown a= lines, in order
  std::vector<UnknownLine> other_lines;     // unknown type letters, in order

  // True for RTP profiles (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, ...), whose formats
  // are payload types (RFC 8866 §5.14).
  bool IsRtp() const;
  // True for SCTP data channels (UDP/DTLS/SCTP, TCP/DTLS/SCTP, legacy DTLS/SCTP).
  bool IsSctp() const;
  Direction EffectiveDirection() const { return direction.value_or(Direction::kSendRecv); }
  const RtpMap* FindRtpMap(uint8_t payload_type) const;
  const Fmtp* FindFmtp(uint8_t payload_type) const;
  // rtcp-fb lines for the payload type, including '*' ones.
  std::vector<RtcpFb> RtcpFbsFor(uint8_t payload_type) const;
  const Extmap* FindExtmap(std::string_view uri) const;
  const Attribute* FindAttribute(std::string_view name) const;

  bool operator==(const MediaDescription&) const = default;
};

}  // namespace cascade::sdp
