#pragma once
// RFC 4585 §6.2.1 generic NACK: FCI entries of (PID, BLP), each naming PID and up to 16
// following sequence numbers.
#include <cstdint>
#include <span>

#include "core/base/Bytes.hpp"
#include "core/base/Result.hpp"
#include "core/rtcp/Feedback.hpp"
#include "core/rtcp/RtcpError.hpp"
#include "core/rtcp/RtcpPacket.hpp"

namespace cascade::rtcp {

struct NackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;
  bool operator==(const NackItem&) const = default;
};

class Nack {
 public:
  // Expands the entries into lost sequence numbers, in packet order.
  class SeqIterator {
   public:
    bool Next(uint16_t& seq);

   private:
    friend class Nack;
    explicit SeqIterator(std::span<const uint8_t> fci) : fci_(fci) {}
    std::span<const uint8_t> fci_;
    size_t item_ = 0;
    int bit_ = -1;  // -1: the PID itself is next
  };

  static base::Result<Nack, RtcpError> Parse(const RtcpPacket& packet);
  // Packs lost sequence numbers (sorted in RTP order, i.e. ascending modulo 2^16) into as few
  // entries as a greedy pass allows. Duplicates are folded.
  static base::Result<size_t, RtcpError> Build(uint32_t sender_ssrc, uint32_t media_ssrc,
                                               std::span<const uint16_t> lost_seqs, base::ByteWriter& out);
  static base::Result<size_t, RtcpError> BuildItems(uint32_t sender_ssrc, uint32_t media_ssrc,
                                                    std::span<const NackItem> items, base::ByteWriter& out);

  uint32_t sender_ssrc() const { return feedback_.sender_ssrc(); }
  uint32_t media_ssrc() const { return feedback_.media_ssrc(); }
  size_t item_count() const { return feedback_.fci().size() / 4; }
  NackItem item(size_t i) const {
    const uint8_t* p = feedback_.fci().data() + 4 * i;
    return {base::LoadBe16(p), base::LoadBe16(p + 2)};
  }
  SeqIterator seqs() const { return SeqIterator(feedback_.fci()); }

 private:
  explicit Nack(Feedback feedback) : feedback_(feedback) {}
  Feedback feedback_;
};

}  // namespace cascade::rtcp
