// Fuzzes the whole RTCP stack: compound iteration, every typed parser (including the full
// transport-cc decode), and for every packet that parses, build -> parse again asserting the
// same fields. A broken invariant traps.
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "core/rtcp/App.hpp"
#include "core/rtcp/Bye.hpp"
#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/Feedback.hpp"
#include "core/rtcp/Fir.hpp"
#include "core/rtcp/Nack.hpp"
#include "core/rtcp/Pli.hpp"
#include "core/rtcp/ReceiverReport.hpp"
#include "core/rtcp/Remb.hpp"
#include "core/rtcp/Sdes.hpp"
#include "core/rtcp/SenderReport.hpp"
#include "core/rtcp/TransportCc.hpp"
#include "core/rtcp/TransportCcDecoder.hpp"
#include "core/rtcp/TransportCcEncoder.hpp"
#include "core/rtcp/Xr.hpp"

using namespace cascade::rtcp;
using cascade::base::ByteWriter;

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Scratch output, large enough for any re-encoded transport-cc of 65535 statuses.
std::vector<uint8_t>& Scratch() {
  static std::vector<uint8_t> buffer(1 << 19);
  return buffer;
}

RtcpPacket Reparse(std::span<const uint8_t> bytes) {
  CompoundReader reader(bytes);
  RtcpPacket packet;
  Check(reader.Next(packet));
  RtcpPacket extra;
  Check(!reader.Next(extra) && !reader.failed());
  return packet;
}

template <typename Build>
RtcpPacket BuildAndReparse(Build&& build) {
  ByteWriter writer(Scratch());
  auto size = build(writer);
  Check(size.ok());
  return Reparse(std::span<const uint8_t>(Scratch()).first(*size));
}

void SameSpan(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  Check(a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0));
}

// Unpadded packets rebuild to their exact bytes.
void SameBytesUnlessPadded(const RtcpPacket& original, const RtcpPacket& rebuilt) {
  if (!original.padding) SameSpan(original.bytes, rebuilt.bytes);
}

void FuzzSenderReport(const RtcpPacket& packet) {
  auto sr = SenderReport::Parse(packet);
  if (!sr) return;
  std::vector<ReportBlock> blocks;
  for (size_t i = 0; i < sr->report_count(); ++i) blocks.push_back(sr->report(i));
  if (sr->extension().size() % 4 != 0) return;
  SenderReport::Fields fields{sr->sender_ssrc(),  sr->ntp_timestamp(), sr->rtp_timestamp(),
                              sr->packet_count(), sr->octet_count(),   blocks,
                              sr->extension()};
  RtcpPacket again = BuildAndReparse([&](ByteWriter& w) { return SenderReport::Build(fields, w); });
  auto sr2 = SenderReport::Parse(again);
  Check(sr2.ok() && sr2->sender_ssrc() == sr->sender_ssrc() && sr2->ntp_timestamp() == sr->ntp_timestamp() &&
        sr2->rtp_timestamp() == sr->rtp_timestamp() && sr2->packet_count() == sr->packet_count() &&
        sr2->octet_count() == sr->octet_count() && sr2->report_count() == blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) Check(sr2->report(i) == blocks[i]);
  SameSpan(sr2->extension(), sr->extension());
  SameBytesUnlessPadded(packet, again);
}

void FuzzReceiverReport(const RtcpPacket& packet) {
  auto rr = ReceiverReport::Parse(packet);
  if (!rr) return;
  std::vector<ReportBlock> blocks;
  for (size_t i = 0; i < rr->report_count(); ++i) blocks.push_back(rr->report(i));
  if (rr->extension().size() % 4 != 0) return;
  RtcpPacket again = BuildAndReparse([&](ByteWriter& w) {
    return ReceiverReport::Build({rr->sender_ssrc(), blocks, rr->extension()}, w);
  });
  auto rr2 = ReceiverReport::Parse(again);
  Check(rr2.ok() && rr2->sender_ssrc() == rr->sender_ssrc() && rr2->report_count() == blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) Check(rr2->report(i) == blocks[i]);
  SameSpan(rr2->extension(), rr->extension());
  SameBytesUnlessPadded(packet, again);
}

struct ChunkCopy {
  uint32_t ssrc;
  std::vector<SdesItem> items;
};

std::vector<ChunkCopy> CollectSdes(const Sdes& sdes) {
  std::vector<ChunkCopy> chunks;
  auto reader = sdes.chunks();
  SdesChunk chunk;
  while (reader.Next(chunk)) {
    ChunkCopy copy{chunk.ssrc, {}};
    Sdes::ItemReader items(chunk);
    SdesItem item;
    while (items.Next(item)) copy.items.push_back(item);
    chunks.push_back(copy);
  }
  return chunks;
}

void FuzzSdes(const RtcpPacket& packet) {
  auto sdes = Sdes::Parse(packet);
  if (!sdes) return;
  auto chunks = CollectSdes(*sdes);
  Check(chunks.size() == sdes->chunk_count());
  std::vector<Sdes::ChunkFields> fields;
  for (const auto& c : chunks) fields.push_back({c.ssrc, c.items});
  RtcpPacket again = BuildAndReparse([&](ByteWriter& w) { return Sdes::Build(fields, w); });
  auto sdes2 = Sdes::Parse(again);
  Check(sdes2.ok());
  auto chunks2 = CollectSdes(*sdes2);
  Check(chunks2.size() == chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    Check(chunks2[i].ssrc == chunks[i].ssrc && chunks2[i].items == chunks[i].items);
  }
}

void FuzzBye(const RtcpPacket& packet) {
  auto bye = Bye::Parse(packet);
  if (!bye) return;
  std::vector<uint32_t> ssrcs;
  for (size_t i = 0; i < bye->source_count(); ++i) ssrcs.push_back(bye->source(i));
  RtcpPacket again = BuildAndReparse([&](ByteWriter& w) { return Bye::Build(ssrcs, bye->reason(), w); });
  auto bye2 = Bye::Parse(again);
  Check(bye2.ok() && bye2->source_count() == ssrcs.size() && bye2->reason() == bye->reason());
  for (size_t i = 0; i < ssrcs.size(); ++i) Check(bye2->source(i) == ssrcs[i]);
}

void FuzzApp(const RtcpPacket& packet) {
  auto app = App::Parse(packet);
  if (!app) return;
  RtcpPacket again = BuildAndReparse(
      [&](ByteWriter& w) { return App::Build(app->subtype(), app->ssrc(), app->name(), app->data(), w); });
  auto app2 = App::Parse(again);
  Check(app2.ok() && app2->subtype() == app->subtype() && app2->ssrc() == app->ssrc() &&
        app2->name() == app->name());
  SameSpan(app2->data(), app->data());
}

std::vector<uint16_t> NackSeqs(const Nack& nack) {
  std::vector<uint16_t> seqs;
  auto it = nack.seqs();
  uint16_t seq;
  while (it.Next(seq)) seqs.push_back(seq);
  return seqs;
}

void FuzzNack(const RtcpPacket& packet) {
  auto nack = Nack::Parse(packet);
  if (!nack) return;
  std::vector<NackItem> items;
  for (size_t i = 0; i < nack->item_count(); ++i) items.push_back(nack->item(i));
  auto seqs = NackSeqs(*nack);
  RtcpPacket again = BuildAndReparse(
      [&](ByteWriter& w) { return Nack::BuildItems(nack->sender_ssrc(), nack->media_ssrc(), items, w); });
  auto nack2 = Nack::Parse(again);
  Check(nack2.ok() && NackSeqs(*nack2) == seqs);
  SameBytesUnlessPadded(packet, again);
  // The list builder may pack differently but must name every lost sequence number.
  again = BuildAndReparse(
      [&](ByteWriter& w) { return Nack::Build(nack->sender_ssrc(), nack->media_ssrc(), seqs, w); });
  nack2 = Nack::Parse(again);
  Check(nack2.ok() && nack2->item_count() <= items.size());
  static std::bitset<65536> want, got;
  want.reset();
  got.reset();
  for (uint16_t s : seqs) want.set(s);
  for (uint16_t s : NackSeqs(*nack2)) got.set(s);
  Check(want == got);
}

void FuzzPli(const RtcpPacket& packet) {
  auto pli = Pli::Parse(packet);
  if (!pli) return;
  RtcpPacket again =
      BuildAndReparse([&](ByteWriter& w) { return Pli::Build(pli->sender_ssrc(), pli->media_ssrc(), w); });
  auto pli2 = Pli::Parse(again);
  Check(pli2.ok() && pli2->sender_ssrc() == pli->sender_ssrc() && pli2->media_ssrc() == pli->media_ssrc());
}

void FuzzFir(const RtcpPacket& packet) {
  auto fir = Fir::Parse(packet);
  if (!fir) return;
  std::vector<FirEntry> entries;
  for (size_t i = 0; i < fir->entry_count(); ++i) entries.push_back(fir->entry(i));
  RtcpPacket again =
      BuildAndReparse([&](ByteWriter& w) { return Fir::Build(fir->sender_ssrc(), entries, w); });
  auto fir2 = Fir::Parse(again);
  Check(fir2.ok() && fir2->sender_ssrc() == fir->sender_ssrc() && fir2->entry_count() == entries.size());
  for (size_t i = 0; i < entries.size(); ++i) Check(fir2->entry(i) == entries[i]);
}

void FuzzRemb(const RtcpPacket& packet) {
  auto remb = Remb::Parse(packet);
  if (!remb) return;
  std::vector<uint32_t> ssrcs;
  for (size_t i = 0; i < remb->ssrc_count(); ++i) ssrcs.push_back(remb->ssrc(i));
  RtcpPacket again = BuildAndReparse(
      [&](ByteWriter& w) { return Remb::Build(remb->sender_ssrc(), remb->bitrate_bps(), ssrcs, w); });
  auto remb2 = Remb::Parse(again);
  Check(remb2.ok() && remb2->sender_ssrc() == remb->sender_ssrc() && remb2->ssrc_count() == ssrcs.size());
  // Exact unless the value was clamped (then it rounds down to the largest representable).
  if (remb->bitrate_bps() != UINT64_MAX) Check(remb2->bitrate_bps() == remb->bitrate_bps());
  for (size_t i = 0; i < ssrcs.size(); ++i) Check(remb2->ssrc(i) == ssrcs[i]);
}

void FuzzTransportCc(const RtcpPacket& packet) {
  auto tcc = TransportCc::Parse(packet);
  if (!tcc) return;
  static TransportCcDecoder decoder;
  static TransportCcDecoder decoder2;
  static TransportCcEncoder encoder;
  auto count = decoder.Decode(*tcc);
  if (!count) return;
  Check(*count == tcc->status_count() && decoder.results().size() == *count);
  std::vector<TccReceived> received;
  for (const auto& r : decoder.results()) {
    if (r.received) received.push_back({r.seq, r.arrival_us});
  }
  Check(received.size() == decoder.received_count());
  TransportCcEncoder::Params params;
  params.sender_ssrc = tcc->sender_ssrc();
  params.media_ssrc = tcc->media_ssrc();
  params.feedback_count = tcc->feedback_count();
  params.base_seq = tcc->base_seq();
  params.reference_time = tcc->reference_time();
  params.status_count = tcc->status_count();
  params.max_packet_size = Scratch().size();
  ByteWriter writer(Scratch());
  auto taken = encoder.Encode(params, received, writer);
  Check(taken.ok() && *taken == received.size());
  RtcpPacket again = Reparse(writer.written());
  auto tcc2 = TransportCc::Parse(again);
  Check(tcc2.ok() && tcc2->base_seq() == tcc->base_seq() && tcc2->status_count() == tcc->status_count() &&
        tcc2->reference_time() == tcc->reference_time() && tcc2->feedback_count() == tcc->feedback_count());
  auto count2 = decoder2.Decode(*tcc2);
  Check(count2.ok() && *count2 == *count);
  for (size_t i = 0; i < *count; ++i) {
    const auto& a = decoder.results()[i];
    const auto& b = decoder2.results()[i];
    Check(a.seq == b.seq && a.received == b.received && a.arrival_us == b.arrival_us);
  }
}

void FuzzXr(const RtcpPacket& packet) {
  auto xr = Xr::Parse(packet);
  if (!xr) return;
  std::vector<XrBlock> blocks;
  auto reader = xr->blocks();
  XrBlock block;
  while (reader.Next(block)) {
    if (block.type == Xr::kRrtr) (void)Xr::RrtrNtp(block);
    for (size_t i = 0; block.type == Xr::kDlrr && i < Xr::DlrrCount(block); ++i) (void)Xr::DlrrAt(block, i);
    blocks.push_back(block);
  }
  RtcpPacket again = BuildAndReparse([&](ByteWriter& w) { return Xr::Build(xr->sender_ssrc(), blocks, w); });
  auto xr2 = Xr::Parse(again);
  Check(xr2.ok() && xr2->sender_ssrc() == xr->sender_ssrc());
  auto reader2 = xr2->blocks();
  size_t n = 0;
  while (reader2.Next(block)) {
    Check(n < blocks.size() && block.type == blocks[n].type &&
          block.type_specific == blocks[n].type_specific);
    SameSpan(block.body, blocks[n].body);
    ++n;
  }
  Check(n == blocks.size());
  // RFC 3611 §2: the 5 reserved header bits are ignored on receipt and sent as zero.
  if (!packet.padding) {
    Check((packet.bytes[0] & 0xe0) == again.bytes[0]);
    SameSpan(packet.bytes.subspan(1), again.bytes.subspan(1));
  }
}

void FuzzOtherFeedback(const RtcpPacket& packet) {
  auto fb = Feedback::Parse(packet, packet.type, packet.count);
  if (!fb || fb->fci().size() % 4 != 0) return;
  RtcpPacket again = BuildAndReparse([&](ByteWriter& w) {
    return Feedback::Build(packet.type, packet.count, fb->sender_ssrc(), fb->media_ssrc(), fb->fci(), w);
  });
  SameBytesUnlessPadded(packet, again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> datagram(data, size);
  auto validated = CompoundReader::Validate(datagram);
  CompoundReader reader(datagram);
  RtcpPacket packet;
  size_t count = 0;
  while (reader.Next(packet)) {
    ++count;
    // Every typed parser must cope with every packet, whatever its type.
    (void)SenderReport::Parse(packet);
    (void)Nack::Parse(packet);
    (void)TransportCc::Parse(packet);
    switch (packet.Kind()) {
      case PacketKind::kSenderReport: FuzzSenderReport(packet); break;
      case PacketKind::kReceiverReport: FuzzReceiverReport(packet); break;
      case PacketKind::kSdes: FuzzSdes(packet); break;
      case PacketKind::kBye: FuzzBye(packet); break;
      case PacketKind::kApp: FuzzApp(packet); break;
      case PacketKind::kNack: FuzzNack(packet); break;
      case PacketKind::kTransportCc: FuzzTransportCc(packet); break;
      case PacketKind::kPli: FuzzPli(packet); break;
      case PacketKind::kFir: FuzzFir(packet); break;
      case PacketKind::kRemb: FuzzRemb(packet); break;
      case PacketKind::kXr: FuzzXr(packet); break;
      case PacketKind::kOtherRtpfb:
      case PacketKind::kOtherPsfb: FuzzOtherFeedback(packet); break;
      case PacketKind::kUnknown:
      case PacketKind::kCount: break;
    }
  }
  // Validate agrees with iteration.
  Check(validated.ok() == (!reader.failed() && size > 0));
  if (validated.ok()) Check(*validated == count);
  return 0;
}
