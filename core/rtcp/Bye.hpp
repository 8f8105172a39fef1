#pragma once
// RFC 3550 §6.6 goodbye: SC SSRC/CSRCs and an optional length-prefixed reason.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class Bye {
 public:
  static base::Result<Bye, RtcpError> Parse(const RtcpPacket& packet);
  // At most 31 sources and a reason of at most 255 bytes.
  static base::Result<size_t, RtcpError> Build(std::span<const uint32_t> ssrcs,
                                               std::optional<std::string_view> reason, base::ByteWriter& out);

  size_t source_count() const { return count_; }
  uint32_t source(size_t i) const { return base::LoadBe32(body_.data() + 4 * i); }
  std::optional<std::string_view> reason() const { return reason_; }

 private:
  Bye(std::span<const uint8_t> body, size_t count, std::optional<std::string_view> reason)
      : body_(body), count_(count), reason_(reason) {}
  std::span<const uint8_t> body_;
  size_t count_;
  std::optional<std::string_view> reason_;
};

}  // namespace cascade::rtcp
