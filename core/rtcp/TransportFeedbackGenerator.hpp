#pragma once
// The receive side of transport-wide congestion control
// (draft-holmer-rmcat-transport-wide-cc-extensions-01): remembers when each packet carrying
// the transport-wide sequence number arrived and, every interval or when enough packets are
// pending, writes one feedback (TransportCcEncoder) so the sender's own estimator sees this
// hop. One generator per transport: packets of every SSRC on it share the sequence.
//
//   generator.OnPacket(transport_seq, arrival_us);          // per received RTP packet
//   if (generator.Due(now_us))                               // on a timer and after packets
//     generator.Build(our_ssrc, publisher_ssrc, now_us, writer);
//
// Coverage is continuous, as libwebrtc's receiver does: each feedback starts where the last
// one ended, so numbers never received in between are reported lost. A packet that arrives
// after its number was already reported lost moves the next feedback's start back to it, so
// it is reported received (the numbers after it once more). Storage is fixed: a ring of the
// last kWindow numbers; nothing is allocated per packet or per feedback.
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/base/Bytes.hpp"
#include "core/rtcp/TransportCcEncoder.hpp"
#include "core/rtp/SeqUnwrapper.hpp"

namespace cascade::rtcp {

class TransportFeedbackGenerator {
 public:
  // Numbers remembered behind the newest; one feedback never covers more.
  static constexpr size_t kWindow = 1024;

  struct Config {
    int64_t interval_us = 50'000;  // libwebrtc's default feedback period
    size_t max_pending = 100;      // received packets that make a feedback due at once
    size_t max_packet_size = 1200;
  };
  struct Counters {
    uint64_t packets = 0;       // accepted
    uint64_t duplicates = 0;    // a number already recorded
    uint64_t too_old = 0;       // more than kWindow behind the newest
    uint64_t restarts = 0;      // the sender's sequence jumped back: state started over
    uint64_t forgotten = 0;     // received but pushed out of the window before a feedback
    uint64_t feedbacks = 0;     // built
    uint64_t build_errors = 0;  // the writer was too small
  };

  explicit TransportFeedbackGenerator(Config config);
  TransportFeedbackGenerator() : TransportFeedbackGenerator(Config{}) {}

  void OnPacket(uint16_t transport_seq, int64_t arrival_us);
  bool Due(int64_t now_us) const;
  // Writes one transport-cc feedback (RTPFB FMT 15, padded to 32 bits) for the pending
  // packets and returns its size; 0 when nothing is pending or `out` has no room (counted).
  // When one packet cannot carry everything, the rest stays pending and Due() stays true.
  // `media_ssrc` is informational (libwebrtc puts the SSRC of a media stream it received).
  size_t Build(uint32_t sender_ssrc, uint32_t media_ssrc, int64_t now_us, base::ByteWriter& out);

  size_t pending() const { return pending_; }
  uint8_t feedback_count() const { return feedback_count_; }
  const Counters& counters() const { return counters_; }

 private:
  static constexpr int64_t kNotReceived = INT64_MIN;
  // Consecutive packets far behind the window that mean the sender restarted its sequence.
  static constexpr int kRestartAfterTooOld = 8;

  void Start(int64_t unwrapped, int64_t arrival_us);
  void AdvanceTo(int64_t unwrapped);
  size_t CountReceived(int64_t from, int64_t to) const;  // in [from, to)
  int64_t& Slot(int64_t unwrapped) { return arrivals_[static_cast<size_t>(unwrapped) % kWindow]; }
  int64_t Slot(int64_t unwrapped) const { return arrivals_[static_cast<size_t>(unwrapped) % kWindow]; }

  const Config config_;
  rtp::SeqUnwrapper unwrapper_;
  std::array<int64_t, kWindow> arrivals_;  // by unwrapped number modulo kWindow
  std::array<TccReceived, kWindow> batch_{};
  TransportCcEncoder encoder_{kWindow + 64};
  bool started_ = false;
  int64_t highest_ = 0;      // newest number received (unwrapped)
  int64_t report_from_ = 0;  // first number the next feedback covers
  size_t pending_ = 0;       // received numbers in [report_from_, highest_]
  bool overflowed_ = false;  // the last Build could not carry everything
  int64_t last_build_us_ = 0;
  int too_old_run_ = 0;
  uint8_t feedback_count_ = 0;
  Counters counters_;
};

}  // namespace cascade::rtcp
