#pragma once
// RFC 3550 §6.5 source description: chunks of (SSRC, items), each chunk's item list ended by
// a null octet and zero padding to a 32-bit boundary. The view walks chunks and items in
// place; Parse has validated every chunk, so the readers cannot fail.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

struct SdesItem {
  uint8_t type = 0;
  std::string_view text;
  bool operator==(const SdesItem&) const = default;
};

struct SdesChunk {
  uint32_t ssrc = 0;
  std::span<const uint8_t> items;  // the raw item list, terminator excluded
};

class Sdes {
 public:
  // RFC 3550 §6.5 item types.
  static constexpr uint8_t kCname = 1;
  static constexpr uint8_t kName = 2;
  static constexpr uint8_t kEmail = 3;
  static constexpr uint8_t kPhone = 4;
  static constexpr uint8_t kLoc = 5;
  static constexpr uint8_t kTool = 6;
  static constexpr uint8_t kNote = 7;
  static constexpr uint8_t kPriv = 8;

  class ChunkReader {
   public:
    bool Next(SdesChunk& out);

   private:
    friend class Sdes;
    ChunkReader(std::span<const uint8_t> body, size_t count) : body_(body), left_(count) {}
    std::span<const uint8_t> body_;
    size_t left_;
    size_t offset_ = 0;
  };

  class ItemReader {
   public:
    explicit ItemReader(const SdesChunk& chunk) : items_(chunk.items) {}
    bool Next(SdesItem& out);

   private:
    std::span<const uint8_t> items_;
    size_t offset_ = 0;
  };

  struct ChunkFields {
    uint32_t ssrc = 0;
    std::span<const SdesItem> items;  // each text at most 255 bytes
  };

  static base::Result<Sdes, RtcpError> Parse(const RtcpPacket& packet);
  static base::Result<size_t, RtcpError> Build(std::span<const ChunkFields> chunks, base::ByteWriter& out);

  size_t chunk_count() const { return count_; }
  ChunkReader chunks() const { return ChunkReader(body_, count_); }
  static std::optional<std::string_view> FindItem(const SdesChunk& chunk, uint8_t type);

 private:
  Sdes(std::span<const uint8_t> body, size_t count) : body_(body), count_(count) {}
  std::span<const uint8_t> body_;
  size_t count_;
};

}  // namespace cascade::rtcp
