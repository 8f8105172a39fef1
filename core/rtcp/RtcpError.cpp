#include "core/rtcp/RtcpError.hpp"

namespace cascade::rtcp {

const char* ToString(RtcpError error) {
  switch (error) {
    case RtcpError::kTruncated: return "truncated";
    case RtcpError::kBadVersion: return "bad_version";
    case RtcpError::kLengthExceedsDatagram: return "length_exceeds_datagram";
    case RtcpError::kPaddingNotLast: return "padding_not_last";
    case RtcpError::kBadPadding: return "bad_padding";
    case RtcpError::kWrongPacketType: return "wrong_packet_type";
    case RtcpError::kWrongFormat: return "wrong_format";
    case RtcpError::kPacketTooShort: return "packet_too_short";
    case RtcpError::kCountExceedsLength: return "count_exceeds_length";
    case RtcpError::kSdesChunkTruncated: return "sdes_chunk_truncated";
    case RtcpError::kSdesItemTruncated: return "sdes_item_truncated";
    case RtcpError::kSdesMissingTerminator: return "sdes_missing_terminator";
    case RtcpError::kByeReasonTruncated: return "bye_reason_truncated";
    case RtcpError::kFciLength: return "fci_length";
    case RtcpError::kRembBadIdentifier: return "remb_bad_identifier";
    case RtcpError::kRembSsrcCountMismatch: return "remb_ssrc_count_mismatch";
    case RtcpError::kTccChunksTruncated: return "tcc_chunks_truncated";
    case RtcpError::kTccReservedSymbol: return "tcc_reserved_symbol";
    case RtcpError::kTccDeltasTruncated: return "tcc_deltas_truncated";
    case RtcpError::kXrBlockTruncated: return "xr_block_truncated";
    case RtcpError::kXrBadBlock: return "xr_bad_block";
    case RtcpError::kBufferTooSmall: return "buffer_too_small";
    case RtcpError::kInvalidArgument: return "invalid_argument";
    case RtcpError::kCount: break;
  }
  return "unknown";
}

}  // namespace cascade::rtcp
