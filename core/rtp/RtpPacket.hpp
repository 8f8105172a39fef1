#pragma once
// A zero-copy view over one RTP packet in a caller-owned, mutable buffer (RFC 3550 §5.1)
// with its RFC 8285 header extensions indexed in a fixed array, so that parsing and the
// in-place rewrites an edge does per viewer (SSRC, sequence, timestamp, extension ids)
// never allocate. The view does not own the buffer; the buffer must outlive the view and
// must not be resized while the view is used.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/base/Result.hpp"
#include "core/rtp/RtpError.hpp"

namespace cascade::rtp {

// How the header extension block (X=1) is laid out.
enum class ExtensionForm : uint8_t {
  kNone,     // X=0
  kOneByte,  // RFC 8285 §4.2, profile 0xBEDE
  kTwoByte,  // RFC 8285 §4.3, profile 0x100X (X = appbits)
  kOpaque,   // any other profile (RFC 3550 §5.3.1): kept as is, not indexed
};

// One RFC 8285 element: `length` value bytes at `offset` from the start of the packet.
struct ExtensionElement {
  uint16_t offset = 0;
  uint8_t id = 0;
  uint8_t length = 0;
};

class RtpPacket {
 public:
  static constexpr size_t kFixedHeaderSize = 12;
  static constexpr size_t kMaxSize = 65535;  // offsets are 16-bit; no datagram is larger
  // libwebrtc senders put at most ~10 elements in a packet; more is rejected rather than
  // silently ignored so FindExtension never misses an element that is present.
  static constexpr size_t kMaxExtensions = 16;
  static constexpr uint16_t kOneByteProfile = 0xBEDE;
  static constexpr uint16_t kTwoByteProfile = 0x1000;  // the low 4 bits are "appbits"
  static constexpr uint8_t kOneByteMaxId = 14;         // 15 is reserved (RFC 8285 §4.2)

  // Validates the header, CSRC list, extension block and padding; on success the view
  // covers exactly `buffer` (the datagram).
  static base::Result<RtpPacket, RtpError> Parse(std::span<uint8_t> buffer);
  // The same packet copied into `out` (a send slot), with the parsed offsets carried over
  // instead of parsed again; nullopt when `out` is smaller than the packet.
  std::optional<RtpPacket> CopyTo(std::span<uint8_t> out) const;

  // Fixed header (RFC 3550 §5.1).
  bool has_padding_bit() const { return (data_[0] & 0x20) != 0; }
  bool has_extension_bit() const { return (data_[0] & 0x10) != 0; }
  uint8_t payload_type() const { return data_[1] & 0x7f; }
  bool marker() const { return (data_[1] & 0x80) != 0; }
  uint16_t sequence_number() const;
  uint32_t timestamp() const;
  uint32_t ssrc() const;
  size_t csrc_count() const { return data_[0] & 0x0f; }
  uint32_t csrc(size_t index) const;  // index < csrc_count()

  // Header extension block.
  ExtensionForm extension_form() const { return form_; }
  uint16_t extension_profile() const;                // 0 when X=0
  std::span<const uint8_t> extension_block() const;  // bytes after the 4-byte extension header
  std::span<const ExtensionElement> extensions() const { return {extensions_.data(), extension_count_}; }
  bool HasExtension(uint8_t id) const { return Find(id) != nullptr; }
  // The value of the first element with `id`, empty when absent (use HasExtension to tell a
  // zero-length two-byte element from an absent one).
  std::span<const uint8_t> FindExtension(uint8_t id) const;
  std::span<uint8_t> FindMutableExtension(uint8_t id);

  // Sizes and regions.
  size_t size() const { return data_.size(); }
  size_t header_size() const { return header_size_; }  // fixed + CSRCs + extension block
  size_t padding_size() const { return padding_size_; }
  size_t payload_size() const { return data_.size() - header_size_ - padding_size_; }
  std::span<const uint8_t> data() const { return data_; }
  std::span<const uint8_t> header() const { return data_.first(header_size_); }
  std::span<const uint8_t> payload() const { return data_.subspan(header_size_, payload_size()); }
  std::span<uint8_t> mutable_payload() { return data_.subspan(header_size_, payload_size()); }

  // In-place rewrites of the fixed header.
  void SetPayloadType(uint8_t payload_type);  // payload_type < 128
  void SetMarker(bool marker);
  void SetSequenceNumber(uint16_t sequence_number);
  void SetTimestamp(uint32_t timestamp);
  void SetSsrc(uint32_t ssrc);

  // Rewrites every RFC 8285 element id through `map` (map[old] = new); an element mapped to
  // 0 is dropped by overwriting its header and value with zero bytes, which are padding in
  // both forms (RFC 8285 §4.1). Fails, leaving the packet untouched, when a new id cannot be
  // expressed in the packet's form (one-byte ids are 1..14). Returns the elements kept;
  // opaque or absent extension blocks are left alone.
  base::Result<size_t, RtpError> RemapExtensionIds(const std::array<uint8_t, 256>& map);

 private:
  RtpPacket() = default;
  const ExtensionElement* Find(uint8_t id) const;
  std::span<const uint8_t> ValueOf(const ExtensionElement& element) const {
    return std::span<const uint8_t>(data_).subspan(element.offset, element.length);
  }
  base::Result<size_t, RtpError> IndexOneByte(size_t block_offset, size_t block_size);
  base::Result<size_t, RtpError> IndexTwoByte(size_t block_offset, size_t block_size);

  std::span<uint8_t> data_;  // the caller's buffer, not owned
  uint16_t header_size_ = 0;
  uint16_t padding_size_ = 0;
  uint16_t extension_header_offset_ = 0;  // offset of the 4-byte extension header, 0 if X=0
  uint16_t extension_block_size_ = 0;
  ExtensionForm form_ = ExtensionForm::kNone;
  uint8_t extension_count_ = 0;
  std::array<ExtensionElement, kMaxExtensions> extensions_{};
};

}  // namespace cascade::rtp
