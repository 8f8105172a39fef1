#pragma once
// A whole SDP document: session-level fields plus the m= sections (RFC 8866 §5).
// Built by ParseSdp (SdpParser.hpp), written by SerializeSdp (SdpSerializer.hpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sdp/MediaDescription.hpp"
#include "core/sdp/SdpTypes.hpp"

namespace cascade::sdp {

struct SessionDescription {
  uint32_t version = 0;  // v=
  Origin origin;         // o=
  std::string session_name = "-";
  std::optional<std::string> information;  // i=
  std::optional<std::string> uri;          // u=
  std::vector<std::string> emails;         // e=
  std::vector<std::string> phones;         // p=
  std::optional<Connection> connection;    // c=
  std::vector<Bandwidth> bandwidths;       // b=
  std::vector<Timing> timings;             // t= (+ r=, z=); empty only if the peer sent none
  std::optional<std::string> key;          // k= (obsolete)

  std::vector<Group> groups;
  bool ice_lite = false;
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<std::string> ice_options;
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
  std::optional<Direction> direction;
  std::optional<MsidSemantic> msid_semantic;
  bool extmap_allow_mixed = false;
  std::vector<Extmap> extmaps;

  std::vector<Attribute> other_attributes;
  std::vector<UnknownLine> other_lines;

  std::vector<MediaDescription> media;

  // The first a=group:BUNDLE (RFC 9143 §7.1), or nullptr.
  const Group* BundleGroup() const;
  const MediaDescription* FindMedia(std::string_view mid) const;
  const Attribute* FindAttribute(std::string_view name) const;

  bool operator==(const SessionDescription&) const = default;
};

}  // namespace cascade::sdp
