#pragma once
// RFC 3611 extended reports: the reporter's SSRC followed by report blocks, each with a
// 4-byte header (BT, type-specific, length in words). RRTR (§4.4) and DLRR (§4.5) blocks
// have typed accessors and builders; other blocks are kept opaque so they rebuild exactly.
#include <cstdint>
#include <optional>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

struct XrBlock {
  uint8_t type = 0;
  uint8_t type_specific = 0;
  std::span<const uint8_t> body;  // block contents after its 4-byte header
};

struct DlrrItem {
  uint32_t ssrc = 0;
  uint32_t last_rr = 0;         // LRR: middle 32 bits of the RRTR's NTP timestamp
  uint32_t delay_since_rr = 0;  // DLRR, in 1/65536 s
  bool operator==(const DlrrItem&) const = default;
};

class Xr {
 public:
  static constexpr uint8_t kRrtr = 4;
  static constexpr uint8_t kDlrr = 5;
  static constexpr size_t kDlrrItemSize = 12;

  class BlockReader {
   public:
    bool Next(XrBlock& out);

   private:
    friend class Xr;
    explicit BlockReader(std::span<const uint8_t> blocks) : blocks_(blocks) {}
    std::span<const uint8_t> blocks_;
    size_t offset_ = 0;
  };

  static base::Result<Xr, RtcpError> Parse(const RtcpPacket& packet);
  // Generic: writes each block's header and body (body a multiple of 4 bytes).
  static base::Result<size_t, RtcpError> Build(uint32_t sender_ssrc, std::span<const XrBlock> blocks,
                                               base::ByteWriter& out);
  // A packet with an RRTR block and/or a DLRR block (the relay's RTT probes for receivers).
  static base::Result<size_t, RtcpError> BuildRrtrDlrr(uint32_t sender_ssrc, std::optional<uint64_t> rrtr_ntp,
                                                       std::span<const DlrrItem> dlrr, base::ByteWriter& out);

  uint32_t sender_ssrc() const { return base::LoadBe32(body_.data()); }
  BlockReader blocks() const { return BlockReader(body_.subspan(4)); }

  // RFC 3611 §4.4: NTP timestamp of an RRTR block (Parse checked its length).
  static uint64_t RrtrNtp(const XrBlock& block) { return base::LoadBe64(block.body.data()); }
  // RFC 3611 §4.5: sub-blocks of a DLRR block.
  static size_t DlrrCount(const XrBlock& block) { return block.body.size() / kDlrrItemSize; }
  static DlrrItem DlrrAt(const XrBlock& block, size_t i) {
    const uint8_t* p = block.body.data() + kDlrrItemSize * i;
    return {base::LoadBe32(p), base::LoadBe32(p + 4), base::LoadBe32(p + 8)};
  }

 private:
  explicit Xr(std::span<const uint8_t> body) : body_(body) {}
  std::span<const uint8_t> body_;
};

}  // namespace cascade::rtcp
