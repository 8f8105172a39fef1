// Parses arbitrary bytes as RTP, reads every extension with every value reader, rewrites a
// copy (header fields and extension ids), rebuilds it with RtpPacketBuilder and round-trips
// it through RTX, trapping on any broken invariant.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/rtp/HeaderExtensions.hpp"
#include "core/rtp/RtpPacket.hpp"
#include "core/rtp/RtpPacketBuilder.hpp"
#include "core/rtp/Rtx.hpp"

using namespace cascade::rtp;

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool SameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

void ReadAll(const RtpPacket& p) {
  for (const auto& e : p.extensions()) {
    const auto value = p.FindExtension(e.id);
    Check(value.data() >= p.data().data() && value.data() + value.size() <= p.data().data() + p.size());
    Check(value.data() + value.size() <= p.data().data() + p.header_size());
    (void)ReadSdesString(value);
    (void)ReadAbsSendTime(value);
    (void)ReadTransportSequenceNumber(value);
    (void)ReadAudioLevel(value);
    (void)ReadVideoOrientation(value);
    (void)ReadAbsCaptureTime(value);
  }
}

// Same fields and extension values in both packets (the layout of the block may differ).
void CheckSameContent(const RtpPacket& a, const RtpPacket& b) {
  Check(a.payload_type() == b.payload_type() && a.marker() == b.marker());
  Check(a.sequence_number() == b.sequence_number() && a.timestamp() == b.timestamp() && a.ssrc() == b.ssrc());
  Check(a.csrc_count() == b.csrc_count());
  for (size_t i = 0; i < a.csrc_count(); ++i) Check(a.csrc(i) == b.csrc(i));
  Check(a.extensions().size() == b.extensions().size());
  for (size_t i = 0; i < a.extensions().size(); ++i) {
    const auto& ea = a.extensions()[i];
    const auto& eb = b.extensions()[i];
    Check(ea.id == eb.id && ea.length == eb.length);
    Check(SameBytes(a.data().subspan(ea.offset, ea.length), b.data().subspan(eb.offset, eb.length)));
  }
  Check(SameBytes(a.payload(), b.payload()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buffer(data, data + size);
  auto parsed = RtpPacket::Parse(buffer);
  if (!parsed) return 0;
  const RtpPacket& p = *parsed;
  Check(p.header_size() + p.payload_size() + p.padding_size() == size);
  ReadAll(p);

  // Rebuild from the parsed fields: same content, and the rebuilt packet is canonical, so
  // rebuilding it again gives identical bytes.
  std::vector<uint8_t> rebuilt(size + 8);
  RtpPacketBuilder builder(rebuilt);
  builder.SetPayloadType(p.payload_type())
      .SetMarker(p.marker())
      .SetSequenceNumber(p.sequence_number())
      .SetTimestamp(p.timestamp())
      .SetSsrc(p.ssrc())
      .SetPayload(p.payload())
      .SetPadding(static_cast<uint8_t>(p.padding_size()));
  for (size_t i = 0; i < p.csrc_count(); ++i) builder.AddCsrc(p.csrc(i));
  if (p.extension_form() == ExtensionForm::kOpaque) {
    builder.SetOpaqueExtension(p.extension_profile(), p.extension_block());
  } else if (p.extension_form() != ExtensionForm::kNone) {
    builder.SetExtensionForm(p.extension_form(), static_cast<uint8_t>(p.extension_profile() & 0x0f));
    for (const auto& e : p.extensions()) builder.AddExtension(e.id, p.data().subspan(e.offset, e.length));
  }
  auto built = builder.Build();
  Check(built.ok());
  rebuilt.resize(*built);
  Check(rebuilt.size() <= size);
  auto reparsed = RtpPacket::Parse(rebuilt);
  Check(reparsed.ok());
  CheckSameContent(p, *reparsed);
  Check(reparsed->padding_size() == p.padding_size());

  // RTX round trip (RFC 4588): wrap, parse, unwrap; only the original padding is lost.
  std::vector<uint8_t> rtx(size + 2);
  auto wrapped = WrapRtx(p, ~p.ssrc(), static_cast<uint8_t>((p.payload_type() + 1) & 0x7f),
                         static_cast<uint16_t>(p.sequence_number() * 31), rtx);
  Check(wrapped.ok());
  rtx.resize(*wrapped);
  auto rtx_packet = RtpPacket::Parse(rtx);
  Check(rtx_packet.ok());
  Check(rtx_packet->ssrc() == ~p.ssrc() && rtx_packet->payload_size() == p.payload_size() + 2);
  std::vector<uint8_t> restored(rtx.size());
  auto unwrapped = UnwrapRtx(*rtx_packet, p.ssrc(), p.payload_type(), restored);
  Check(unwrapped.ok());
  restored.resize(*unwrapped);
  auto restored_packet = RtpPacket::Parse(restored);
  Check(restored_packet.ok());
  CheckSameContent(p, *restored_packet);
  Check(restored_packet->padding_size() == 0);
  if (p.padding_size() == 0) Check(restored == buffer);

  // In-place rewrite of a copy: header fields, then extension ids through a map derived
  // from the input.
  std::vector<uint8_t> copy(buffer);
  auto view = RtpPacket::Parse(copy);
  Check(view.ok());
  view->SetSsrc(0x01020304);
  view->SetSequenceNumber(static_cast<uint16_t>(size));
  view->SetTimestamp(0xfffffff0u);
  view->SetPayloadType(static_cast<uint8_t>(size & 0x7f));
  view->SetMarker((size & 1) != 0);
  std::array<uint8_t, 256> map{};
  const uint8_t salt = size > 0 ? data[size - 1] : 0;
  for (size_t id = 0; id < map.size(); ++id) {
    const auto to = static_cast<uint8_t>((id + salt) % 16);  // 0 drops; 15 is invalid one-byte
    map[id] = to;
  }
  const size_t before = view->extensions().size();
  auto kept = view->RemapExtensionIds(map);
  if (kept.ok()) {
    auto after = RtpPacket::Parse(copy);
    Check(after.ok());
    Check(after->extensions().size() == *kept && *kept <= before);
    Check(after->ssrc() == 0x01020304 && after->sequence_number() == static_cast<uint16_t>(size));
    Check(SameBytes(after->payload(), p.payload()));
    for (const auto& e : after->extensions()) Check(e.id != 0);
  } else {
    Check(view->extension_form() == ExtensionForm::kOneByte);
    auto after = RtpPacket::Parse(copy);
    Check(after.ok() && after->extensions().size() == before);
  }
  return 0;
}
