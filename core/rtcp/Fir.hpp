#pragma once
// RFC 5104 §4.3.1 full intra request: FCI entries of (target SSRC, command sequence number).
#include <cstdint>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/Feedback.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t seq_nr = 0;
  bool operator==(const FirEntry&) const = default;
};

class Fir {
 public:
  static constexpr size_t kEntrySize = 8;

  static base::Result<Fir, RtcpError> Parse(const RtcpPacket& packet);
  // RFC 5104 §4.3.1.2: the media source SSRC is not used and set to 0.
  static base::Result<size_t, RtcpError> Build(uint32_t sender_ssrc, std::span<const FirEntry> entries,
                                               base::ByteWriter& out);

  uint32_t sender_ssrc() const { return feedback_.sender_ssrc(); }
  uint32_t media_ssrc() const { return feedback_.media_ssrc(); }
  size_t entry_count() const { return feedback_.fci().size() / kEntrySize; }
  FirEntry entry(size_t i) const {
    const uint8_t* p = feedback_.fci().data() + kEntrySize * i;
    return {base::LoadBe32(p), p[4]};
  }

 private:
  explicit Fir(Feedback feedback) : feedback_(feedback) {}
  Feedback feedback_;
};

}  // namespace cascade::rtcp
