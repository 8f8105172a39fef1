#pragma once
// Writes an RTP packet (RFC 3550 §5.1) into a caller buffer: fixed header, CSRCs, RFC 8285
// extensions in the one- or two-byte form, payload and padding. Spans handed to the builder
// are referenced, not copied, until Build(); nothing is allocated.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/rtp/RtpError.hpp"
#include "core/rtp/RtpPacket.hpp"

namespace cascade::rtp {

class RtpPacketBuilder {
 public:
  explicit RtpPacketBuilder(std::span<uint8_t> out) : out_(out) {}

  RtpPacketBuilder& SetPayloadType(uint8_t payload_type);  // < 128
  RtpPacketBuilder& SetMarker(bool marker);
  RtpPacketBuilder& SetSequenceNumber(uint16_t sequence_number);
  RtpPacketBuilder& SetTimestamp(uint32_t timestamp);
  RtpPacketBuilder& SetSsrc(uint32_t ssrc);
  RtpPacketBuilder& AddCsrc(uint32_t csrc);  // up to 15
  // kNone (default) picks one-byte when every element fits it (ids 1..14, 1..16 bytes) and
  // two-byte otherwise; kOneByte / kTwoByte force a form.
  RtpPacketBuilder& SetExtensionForm(ExtensionForm form, uint8_t two_byte_appbits = 0);
  RtpPacketBuilder& AddExtension(uint8_t id, std::span<const uint8_t> value);
  // A block of another profile (RFC 3550 §5.3.1), written verbatim; size a multiple of 4.
  RtpPacketBuilder& SetOpaqueExtension(uint16_t profile, std::span<const uint8_t> block);
  RtpPacketBuilder& SetPayload(std::span<const uint8_t> payload);
  // RFC 3550 §5.1: `size` bytes of padding (zeros, then the count in the last byte).
  RtpPacketBuilder& SetPadding(uint8_t size);

  // Writes the packet; returns its size, or the first error met by a setter or the write.
  base::Result<size_t, RtpError> Build();

 private:
  struct Element {
    uint8_t id;
    std::span<const uint8_t> value;
  };
  void Fail(RtpError error) {
    if (!failed_) error_ = error;
    failed_ = true;
  }

  std::span<uint8_t> out_;
  uint8_t payload_type_ = 0;
  bool marker_ = false;
  uint16_t sequence_number_ = 0;
  uint32_t timestamp_ = 0;
  uint32_t ssrc_ = 0;
  std::array<uint32_t, 15> csrcs_{};
  size_t csrc_count_ = 0;
  ExtensionForm form_ = ExtensionForm::kNone;
  uint8_t appbits_ = 0;
  std::array<Element, RtpPacket::kMaxExtensions> elements_{};
  size_t element_count_ = 0;
  uint16_t opaque_profile_ = 0;
  std::span<const uint8_t> opaque_block_;
  bool has_opaque_ = false;
  std::span<const uint8_t> payload_;
  uint8_t padding_ = 0;
  bool failed_ = false;
  RtpError error_ = RtpError::kCount;
};

}  // namespace cascade::rtp
