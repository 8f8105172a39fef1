#pragma once
// RFC 3550 §6.4.1 sender report: a view over a parsed packet and a builder.
#include <cstdint>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/ReportBlock.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class SenderReport {
 public:
  static constexpr size_t kFixedSize = 24;  // SSRC + sender info

  struct Fields {
    uint32_t sender_ssrc = 0;
    uint64_t ntp_timestamp = 0;
    uint32_t rtp_timestamp = 0;
    uint32_t packet_count = 0;
    uint32_t octet_count = 0;
    std::span<const ReportBlock> reports;  // at most 31
    std::span<const uint8_t> extension;    // profile-specific, multiple of 4 bytes
  };

  static base::Result<SenderReport, RtcpError> Parse(const RtcpPacket& packet);
  static base::Result<size_t, RtcpError> Build(const Fields& fields, base::ByteWriter& out);

  uint32_t sender_ssrc() const { return base::LoadBe32(body_.data()); }
  uint64_t ntp_timestamp() const { return base::LoadBe64(body_.data() + 4); }
  uint32_t rtp_timestamp() const { return base::LoadBe32(body_.data() + 12); }
  uint32_t packet_count() const { return base::LoadBe32(body_.data() + 16); }
  uint32_t octet_count() const { return base::LoadBe32(body_.data() + 20); }
  size_t report_count() const { return count_; }
  ReportBlock report(size_t i) const {
    return ReportBlock::Read(body_.data() + kFixedSize + i * ReportBlock::kSize);
  }
  std::span<const uint8_t> extension() const {
    return body_.subspan(kFixedSize + count_ * ReportBlock::kSize);
  }

 private:
  SenderReport(std::span<const uint8_t> body, size_t count) : body_(body), count_(count) {}
  std::span<const uint8_t> body_;
  size_t count_;
};

}  // namespace cascade::rtcp
