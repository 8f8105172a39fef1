#pragma once
// RTX retransmission payload format (RFC 4588 §4): the retransmitted packet keeps the
// original header (timestamp, marker, CSRCs, extensions) with the RTX stream's SSRC, payload
// type and sequence number, and its payload is prefixed with the 2-byte original sequence
// number (OSN). Both directions write into a caller buffer that must not overlap the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/Result.hpp"
#include "core/rtp/RtpError.hpp"
#include "core/rtp/RtpPacket.hpp"

namespace cascade::rtp {

// Original padding is not part of the payload and is not carried (RFC 4588 §4).
base::Result<size_t, RtpError> WrapRtx(const RtpPacket& original, uint32_t rtx_ssrc, uint8_t rtx_payload_type,
                                       uint16_t rtx_sequence_number, std::span<uint8_t> out);

// Restores the original packet: sequence number from the OSN, SSRC and payload type from the
// caller (negotiated via "apt" and "ssrc-group:FID").
base::Result<size_t, RtpError> UnwrapRtx(const RtpPacket& rtx, uint32_t original_ssrc,
                                         uint8_t original_payload_type, std::span<uint8_t> out);

}  // namespace cascade::rtp
