#pragma once
// Answers one receiver's NACKs (RFC 4585 §6.2.1) for one stream from this hop's PacketCache,
// resending each packet at most once per that receiver's RTT: a receiver repeats a NACK
// until the packet arrives, and a second copy sent before the first could have arrived only
// costs bandwidth. One responder per receiver stream; it remembers when it last resent
// each sequence number in a fixed ring (no allocation after construction).
//
// The sequence numbers given here are the receiver's own (what it NACKed); the caller maps
// them to the cache's numbering when the two differ (an edge's per-viewer rewrite).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rtp/PacketCache.hpp"

namespace cascade::rtp {

class NackResponder {
 public:
  struct Options {
    size_t history = 512;               // ring entries; a power of two, at most 65536
    uint64_t default_rtt_us = 100'000;  // while the receiver's RTT is unknown (0)
    uint64_t min_interval_us = 5'000;   // floor on the suppression window
  };

  enum class Decision : uint8_t { kResend, kNotInCache, kSuppressed };

  struct Counters {
    uint64_t nacks = 0;      // NACK messages (OnNackReceived)
    uint64_t requested = 0;  // sequence numbers asked for
    uint64_t resent = 0;
    uint64_t not_in_cache = 0;  // never seen, too old, overwritten, or unmappable
    uint64_t suppressed = 0;    // resent less than one RTT ago
  };

  NackResponder();  // default Options
  explicit NackResponder(Options options);

  // Counts one NACK message (the caller then decides each of its sequence numbers).
  void OnNackReceived() { ++counters_.nacks; }
  // Decides one requested sequence number: `in_cache` says whether the caller found the
  // packet. kResend records `now_us` as its last resend; the caller must then send it.
  Decision Decide(uint16_t seq, bool in_cache, uint64_t rtt_us, uint64_t now_us);

  // The whole NACK when the receiver uses the cache's numbering (a relay hop): calls
  // `resend(std::span<const uint8_t> packet, uint16_t seq)` for every packet to send again.
  // Returns how many were resent.
  template <typename Resend>
  size_t Respond(std::span<const uint16_t> seqs, const PacketCache& cache, uint64_t rtt_us, uint64_t now_us,
                 Resend&& resend) {
    OnNackReceived();
    size_t count = 0;
    for (uint16_t seq : seqs) {
      auto packet = cache.Find(seq, now_us);
      if (Decide(seq, !packet.empty(), rtt_us, now_us) != Decision::kResend) continue;
      resend(packet, seq);
      ++count;
    }
    return count;
  }

  // Forgets the resend history (the receiver's stream starts over).
  void Reset();
  const Counters& counters() const { return counters_; }

 private:
  struct Entry {
    bool used = false;
    uint16_t seq = 0;
    uint64_t last_resent_us = 0;
  };

  Options options_;
  std::vector<Entry> entries_;  // history entries, indexed by seq & mask_
  size_t mask_;
  Counters counters_;
};

}  // namespace cascade::rtp
