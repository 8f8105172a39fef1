#include "core/rtcp/Sdes.hpp"

namespace cascade::rtcp {
namespace {

// Walks one chunk starting at `offset` (32-bit aligned); on success `offset` is past the
// chunk's padding. Returns kCount when the chunk is valid.
RtcpError WalkChunk(std::span<const uint8_t> body, size_t& offset, SdesChunk& out) {
  // RFC 3550 §6.5: each chunk starts with the SSRC/CSRC it describes.
  if (body.size() - offset < 4) return RtcpError::kSdesChunkTruncated;
  out.ssrc = base::LoadBe32(body.data() + offset);
  size_t pos = offset + 4;
  size_t items_start = pos;
  for (;;) {
    // RFC 3550 §6.5: the item list ends with a null octet.
    if (pos >= body.size()) return RtcpError::kSdesMissingTerminator;
    if (body[pos] == 0) break;
    // Every other item is type, length and that many octets of text.
    if (body.size() - pos < 2) return RtcpError::kSdesItemTruncated;
    size_t len = body[pos + 1];
    if (body.size() - pos - 2 < len) return RtcpError::kSdesItemTruncated;
    pos += 2 + len;
  }
  out.items = body.subspan(items_start, pos - items_start);
  // RFC 3550 §6.5: null octets pad the chunk to the next 32-bit boundary.
  size_t end = (pos + 1 + 3) & ~static_cast<size_t>(3);
  if (end > body.size()) return RtcpError::kSdesMissingTerminator;
  offset = end;
  return RtcpError::kCount;
}

}  // namespace

bool Sdes::ChunkReader::Next(SdesChunk& out) {
  if (left_ == 0) return false;
  if (WalkChunk(body_, offset_, out) != RtcpError::kCount) return false;
  --left_;
  return true;
}

bool Sdes::ItemReader::Next(SdesItem& out) {
  // Parse validated the list: every item has its type, length and text in bounds.
  if (items_.size() - offset_ < 2) return false;
  size_t len = items_[offset_ + 1];
  if (items_.size() - offset_ - 2 < len) return false;
  out.type = items_[offset_];
  out.text = std::string_view(reinterpret_cast<const char*>(items_.data() + offset_ + 2), len);
  offset_ += 2 + len;
  return true;
}

std::optional<std::string_view> Sdes::FindItem(const SdesChunk& chunk, uint8_t type) {
  ItemReader items(chunk);
  SdesItem item;
  while (items.Next(item)) {
    if (item.type == type) return item.text;
  }
  return std::nullopt;
}

base::Result<Sdes, RtcpError> Sdes::Parse(const RtcpPacket& packet) {
  if (packet.type != kPtSdes) return base::Fail(RtcpError::kWrongPacketType);
  size_t offset = 0;
  SdesChunk chunk;
  for (size_t i = 0; i < packet.count; ++i) {
    RtcpError error = WalkChunk(packet.payload, offset, chunk);
    if (error != RtcpError::kCount) return base::Fail(error);
  }
  return Sdes(packet.payload, packet.count);
}

base::Result<size_t, RtcpError> Sdes::Build(std::span<const ChunkFields> chunks, base::ByteWriter& out) {
  if (chunks.size() > kMaxCount) return base::Fail(RtcpError::kInvalidArgument);
  size_t start = BeginPacket(out, static_cast<uint8_t>(chunks.size()), kPtSdes);
  for (const ChunkFields& chunk : chunks) {
    size_t chunk_start = out.size();
    out.U32(chunk.ssrc);
    for (const SdesItem& item : chunk.items) {
      if (item.type == 0 || item.text.size() > 255) return base::Fail(RtcpError::kInvalidArgument);
      out.U8(item.type);
      out.U8(static_cast<uint8_t>(item.text.size()));
      out.Bytes({reinterpret_cast<const uint8_t*>(item.text.data()), item.text.size()});
    }
    // Terminator plus zero padding to a 32-bit boundary (RFC 3550 §6.5).
    size_t used = out.size() - chunk_start + 1;
    out.Zeros(1 + (4 - used % 4) % 4);
  }
  return FinishPacket(out, start);
}

}  // namespace cascade::rtcp
