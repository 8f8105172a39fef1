#pragma once
// RFC 4585 §6.1 common feedback packet format: sender SSRC, media source SSRC and FCI.
// The typed feedback views (Nack, Pli, Fir, Remb, TransportCc) parse through this; it also
// builds any feedback message from an opaque FCI.
#include <cstdint>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class Feedback {
 public:
  static constexpr size_t kFixedSize = 8;

  // Checks type, FMT and the two SSRCs.
  static base::Result<Feedback, RtcpError> Parse(const RtcpPacket& packet, uint8_t type, uint8_t fmt);
  static base::Result<size_t, RtcpError> Build(uint8_t type, uint8_t fmt, uint32_t sender_ssrc,
                                               uint32_t media_ssrc, std::span<const uint8_t> fci,
                                               base::ByteWriter& out);
  // Writes the header and both SSRCs; the caller appends the FCI and calls FinishPacket.
  static size_t Begin(uint8_t type, uint8_t fmt, uint32_t sender_ssrc, uint32_t media_ssrc,
                      base::ByteWriter& out);

  uint32_t sender_ssrc() const { return base::LoadBe32(body_.data()); }
  uint32_t media_ssrc() const { return base::LoadBe32(body_.data() + 4); }
  std::span<const uint8_t> fci() const { return body_.subspan(kFixedSize); }

 private:
  explicit Feedback(std::span<const uint8_t> body) : body_(body) {}
  std::span<const uint8_t> body_;
};

}  // namespace cascade::rtcp
