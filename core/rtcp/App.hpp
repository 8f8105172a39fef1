#pragma once
// RFC 3550 §6.7 application-defined packet: subtype, SSRC, 4-byte name, opaque data.
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

class App {
 public:
  static constexpr size_t kFixedSize = 8;

  static base::Result<App, RtcpError> Parse(const RtcpPacket& packet);
  // `name` must be exactly 4 bytes. Data not a multiple of 4 bytes is padded with the P bit.
  static base::Result<size_t, RtcpError> Build(uint8_t subtype, uint32_t ssrc, std::string_view name,
                                               std::span<const uint8_t> data, base::ByteWriter& out);

  uint8_t subtype() const { return subtype_; }
  uint32_t ssrc() const { return base::LoadBe32(body_.data()); }
  std::string_view name() const { return {reinterpret_cast<const char*>(body_.data() + 4), 4}; }
  std::span<const uint8_t> data() const { return body_.subspan(kFixedSize); }

 private:
  App(std::span<const uint8_t> body, uint8_t subtype) : body_(body), subtype_(subtype) {}
  std::span<const uint8_t> body_;
  uint8_t subtype_;
};

}  // namespace cascade::rtcp
