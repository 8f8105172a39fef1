#pragma once
// Helpers shared by the RTP tests: hex fixtures and a parse -> build round trip.
#include <cstdint>
#include <string>
#include <vector>

#include "core/rtp/RtpPacket.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"

namespace cascade::rtp::test {

inline std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Rebuilds `packet` from its parsed fields with RtpPacketBuilder into `out`.
inline base::Result<size_t, RtpError> Rebuild(const RtpPacket& packet, std::vector<uint8_t>& out) {
  out.assign(packet.size() + 64, 0xee);
  RtpPacketBuilder builder(out);
  builder.SetPayloadType(packet.payload_type())
      .SetMarker(packet.marker())
      .SetSequenceNumber(packet.sequence_number())
      .SetTimestamp(packet.timestamp())
      .SetSsrc(packet.ssrc())
      .SetPayload(packet.payload())
      .SetPadding(static_cast<uint8_t>(packet.padding_size()));
  for (size_t i = 0; i < packet.csrc_count(); ++i) builder.AddCsrc(packet.csrc(i));
  if (packet.extension_form() == ExtensionForm::kOpaque) {
    builder.SetOpaqueExtension(packet.extension_profile(), packet.extension_block());
  } else if (packet.extension_form() != ExtensionForm::kNone) {
    builder.SetExtensionForm(packet.extension_form(),
                             static_cast<uint8_t>(packet.extension_profile() & 0x0f));
    for (const auto& e : packet.extensions()) builder.AddExtension(e.id, packet.FindExtension(e.id));
  }
  auto built = builder.Build();
  if (built) out.resize(*built);
  return built;
}

}  // namespace cascade::rtp::test
