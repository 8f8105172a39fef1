#pragma once
// RFC 4585 §6.3.1 picture loss indication: a feedback message without FCI.
#include <cstdint>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/Feedback.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class Pli {
 public:
  static base::Result<Pli, RtcpError> Parse(const RtcpPacket& packet);
  static base::Result<size_t, RtcpError> Build(uint32_t sender_ssrc, uint32_t media_ssrc,
                                               base::ByteWriter& out);

  uint32_t sender_ssrc() const { return feedback_.sender_ssrc(); }
  uint32_t media_ssrc() const { return feedback_.media_ssrc(); }

 private:
  explicit Pli(Feedback feedback) : feedback_(feedback) {}
  Feedback feedback_;
};

}  // namespace cascade::rtcp
