#pragma once
// RFC 3550 §6.4.2 receiver report: a view over a parsed packet and a builder.
#include <cstdint>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/ReportBlock.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class ReceiverReport {
 public:
  static constexpr size_t kFixedSize = 4;  // reporter SSRC

  struct Fields {
    uint32_t sender_ssrc = 0;
    std::span<const ReportBlock> reports;  // at most 31
    std::span<const uint8_t> extension;    // profile-specific, multiple of 4 bytes
  };

  static base::Result<ReceiverReport, RtcpError> Parse(const RtcpPacket& packet);
  static base::Result<size_t, RtcpError> Build(const Fields& fields, base::ByteWriter& out);

  uint32_t sender_ssrc() const { return base::LoadBe32(body_.data()); }
  size_t report_count() const { return count_; }
  ReportBlock report(size_t i) const {
    return ReportBlock::Read(body_.data() + kFixedSize + i * ReportBlock::kSize);
  }
  std::span<const uint8_t> extension() const {
    return body_.subspan(kFixedSize + count_ * ReportBlock::kSize);
  }

 private:
  ReceiverReport(std::span<const uint8_t> body, size_t count) : body_(body), count_(count) {}
  std::span<const uint8_t> body_;
  size_t count_;
};

}  // namespace cascade::rtcp
