#include "core/rtp/RtpPacketBuilder.hpp"

#include "core/base/Bytes.hpp"

namespace cascade::rtp {

RtpPacketBuilder& RtpPacketBuilder::SetPayloadType(uint8_t payload_type) {
  if (payload_type > 127) Fail(RtpError::kInvalidField);
  payload_type_ = payload_type & 0x7f;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetMarker(bool marker) {
  marker_ = marker;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetSequenceNumber(uint16_t sequence_number) {
  sequence_number_ = sequence_number;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetTimestamp(uint32_t timestamp) {
  timestamp_ = timestamp;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetSsrc(uint32_t ssrc) {
  ssrc_ = ssrc;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::AddCsrc(uint32_t csrc) {
  // RFC 3550 §5.1: CC is 4 bits.
  if (csrc_count_ == csrcs_.size()) {
    Fail(RtpError::kInvalidField);
  } else {
    csrcs_[csrc_count_++] = csrc;
  }
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetExtensionForm(ExtensionForm form, uint8_t two_byte_appbits) {
  if (form == ExtensionForm::kOpaque || two_byte_appbits > 15) Fail(RtpError::kInvalidField);
  form_ = form;
  appbits_ = two_byte_appbits & 0x0f;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::AddExtension(uint8_t id, std::span<const uint8_t> value) {
  // RFC 8285 §4.3: ids are 1..255 and values at most 255 bytes in the wider form.
  if (id == 0) {
    Fail(RtpError::kInvalidExtensionId);
  } else if (value.size() > 255) {
    Fail(RtpError::kInvalidExtensionLength);
  } else if (element_count_ == elements_.size()) {
    Fail(RtpError::kTooManyExtensions);
  } else {
    elements_[element_count_++] = Element{id, value};
  }
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetOpaqueExtension(uint16_t profile, std::span<const uint8_t> block) {
  // RFC 3550 §5.3.1: the length field counts 32-bit words.
  if (block.size() % 4 != 0 || block.size() / 4 > 0xffff) Fail(RtpError::kInvalidExtensionLength);
  opaque_profile_ = profile;
  opaque_block_ = block;
  has_opaque_ = true;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetPayload(std::span<const uint8_t> payload) {
  payload_ = payload;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::SetPadding(uint8_t size) {
  padding_ = size;
  return *this;
}

base::Result<size_t, RtpError> RtpPacketBuilder::Build() {
  if (failed_) return base::Fail(error_);
  if (has_opaque_ && element_count_ > 0) return base::Fail(RtpError::kInvalidField);

  ExtensionForm form = ExtensionForm::kNone;
  if (has_opaque_) {
    form = ExtensionForm::kOpaque;
  } else if (element_count_ > 0) {
    bool fits_one_byte = true;
    for (size_t i = 0; i < element_count_; ++i) {
      const Element& e = elements_[i];
      fits_one_byte =
          fits_one_byte && e.id <= RtpPacket::kOneByteMaxId && !e.value.empty() && e.value.size() <= 16;
    }
    form = form_ != ExtensionForm::kNone
               ? form_
               : (fits_one_byte ? ExtensionForm::kOneByte : ExtensionForm::kTwoByte);
    // RFC 8285 §4.2: one-byte ids are 1..14 and values 1..16 bytes.
    if (form == ExtensionForm::kOneByte && !fits_one_byte) {
      for (size_t i = 0; i < element_count_; ++i) {
        if (elements_[i].id > RtpPacket::kOneByteMaxId) return base::Fail(RtpError::kInvalidExtensionId);
      }
      return base::Fail(RtpError::kInvalidExtensionLength);
    }
  }

  base::ByteWriter w(out_);
  w.U8(static_cast<uint8_t>(0x80 | (padding_ > 0 ? 0x20 : 0) | (form != ExtensionForm::kNone ? 0x10 : 0) |
                            csrc_count_));
  w.U8(static_cast<uint8_t>((marker_ ? 0x80 : 0) | payload_type_));
  w.U16(sequence_number_);
  w.U32(timestamp_);
  w.U32(ssrc_);
  for (size_t i = 0; i < csrc_count_; ++i) w.U32(csrcs_[i]);

  if (form == ExtensionForm::kOpaque) {
    w.U16(opaque_profile_);
    w.U16(static_cast<uint16_t>(opaque_block_.size() / 4));
    w.Bytes(opaque_block_);
  } else if (form != ExtensionForm::kNone) {
    const bool one_byte = form == ExtensionForm::kOneByte;
    size_t block = 0;
    for (size_t i = 0; i < element_count_; ++i) block += (one_byte ? 1 : 2) + elements_[i].value.size();
    const size_t words = (block + 3) / 4;
    if (words > 0xffff) return base::Fail(RtpError::kInvalidExtensionLength);
    w.U16(one_byte ? RtpPacket::kOneByteProfile
                   : static_cast<uint16_t>(RtpPacket::kTwoByteProfile | appbits_));
    w.U16(static_cast<uint16_t>(words));
    for (size_t i = 0; i < element_count_; ++i) {
      const Element& e = elements_[i];
      if (one_byte) {
        w.U8(static_cast<uint8_t>((e.id << 4) | (e.value.size() - 1)));
      } else {
        w.U8(e.id);
        w.U8(static_cast<uint8_t>(e.value.size()));
      }
      w.Bytes(e.value);
    }
    // RFC 8285 §4.1: zero bytes pad the block to a 32-bit boundary.
    w.Zeros(words * 4 - block);
  }

  w.Bytes(payload_);
  if (padding_ > 0) {
    w.Zeros(padding_ - 1u);
    w.U8(padding_);
  }
  if (!w.ok()) return base::Fail(RtpError::kBufferTooSmall);
  if (w.size() > RtpPacket::kMaxSize) return base::Fail(RtpError::kTooLong);
  return w.size();
}

}  // namespace cascade::rtp
