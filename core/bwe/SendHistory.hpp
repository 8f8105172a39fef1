#pragma once
// What this side sent on one transport, keyed by transport-wide sequence number
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): send time, size, probe cluster and
// whether feedback has reported the packet yet. A fixed ring indexed by the unwrapped
// sequence number, so recording a packet never allocates; a record is forgotten when the ring
// wraps over it or when it is older than max_age (feedback that late says nothing about the
// path now).
//
//   SendHistory history;
//   history.OnPacketSent(seq, bytes, now_us);                // every packet, padding included
//   auto found = history.Find(history.UnwrapFeedbackSeq(s), now_us);
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/rtp/SeqUnwrapper.hpp"

namespace cascade::bwe {

class SendHistory {
 public:
  struct Options {
    // At 1,200-byte packets, 4,096 records cover 2 s up to ~19 Mbit/s.
    size_t capacity = 4096;
    uint64_t max_age_us = 2'000'000;
  };
  enum class Reported : uint8_t { kNotYet, kLost, kReceived };
  struct Record {
    int64_t seq = kEmpty;  // unwrapped
    int64_t send_us = 0;
    uint32_t bytes = 0;
    int16_t probe_cluster = -1;
    Reported reported = Reported::kNotYet;
  };
  enum class Lookup : uint8_t { kFound, kUnknown, kExpired };
  struct Found {
    Lookup lookup = Lookup::kUnknown;
    Record* record = nullptr;  // owned by the history; valid until the next OnPacketSent
  };

  SendHistory() : SendHistory(Options{}) {}
  explicit SendHistory(Options options);

  // Returns the unwrapped sequence number. `probe_cluster` -1 means a media packet.
  int64_t OnPacketSent(uint16_t seq, size_t bytes, int64_t send_us, int16_t probe_cluster = -1);
  // A sequence number from feedback, placed nearest to what we last sent (the sender's view
  // decides the cycle, so feedback never moves it).
  int64_t UnwrapFeedbackSeq(uint16_t seq) const { return unwrapper_.PeekUnwrap(seq); }
  Found Find(int64_t seq, int64_t now_us);

  bool empty() const { return !sent_any_; }
  uint64_t packets_sent() const { return packets_sent_; }

 private:
  static constexpr int64_t kEmpty = INT64_MIN;
  Record& Slot(int64_t seq) {
    const auto cap = static_cast<int64_t>(records_.size());
    return records_[static_cast<size_t>(((seq % cap) + cap) % cap)];
  }

  Options options_;
  std::vector<Record> records_;
  rtp::SeqUnwrapper unwrapper_;
  bool sent_any_ = false;
  uint64_t packets_sent_ = 0;
};

}  // namespace cascade::bwe
