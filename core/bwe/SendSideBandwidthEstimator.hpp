#pragma once
// Send-side bandwidth estimation for one receiver (one viewer's transport): Google Congestion
// Control, draft-ietf-rmcat-gcc-02, shaped like libwebrtc's goog_cc. The owner reports every
// packet it sends with its transport-wide sequence number, hands in the receiver's
// transport-cc feedback, REMB and receiver reports, and reads target_bps():
//
//   target = clamp(min(delay-based, loss-based, REMB), min_bps, max_bps)
//
// - delay-based (DelayBasedBwe): trendline over 5 ms send groups, adaptive-threshold over-use
//   detector, AIMD (x0.85 of the acknowledged rate on over-use, +8 %/s or ~1 packet per RTT).
// - loss-based (LossBasedControl): < 2 % lost increase, 2-10 % hold, > 10 % x(1 - loss/2).
// - REMB: for receivers without transport-cc it is the estimate (with RR loss, if any); with
//   both, the lower wins.
// - probing: RequestProbe(needed) returns a cluster to send (ProbeController); its packets
//   go through OnPacketSent(..., probe=true); a delivered rate above the estimate becomes
//   the estimate at once (ProbeBitrateEstimator).
// Single-threaded (the transport's loop), no allocation per packet; feedback storage grows to
// the largest feedback seen and stays.
//
//   SendSideBandwidthEstimator bwe({.start_bps = 1'000'000});
//   bwe.OnPacketSent(twcc_seq, size, now_us);                    // every RTP/RTX/padding packet
//   bwe.OnTransportFeedback(tcc, now_us);                        // each RTPFB FMT 15
//   if (auto probe = bwe.RequestProbe(next_layer_bps, now_us)) { /* send padding, probe=true */ }
//   uint64_t budget = bwe.target_bps();
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bwe/AcknowledgedBitrate.hpp"
#include "core/bwe/BweTypes.hpp"
#include "core/bwe/DelayBasedBwe.hpp"
#include "core/bwe/FeedbackMatcher.hpp"
#include "core/bwe/LossBasedControl.hpp"
#include "core/bwe/ProbeBitrateEstimator.hpp"
#include "core/bwe/ProbeController.hpp"
#include "core/bwe/SendHistory.hpp"
#include "core/rtcp/TransportCc.hpp"

namespace cascade::bwe {

class SendSideBandwidthEstimator {
 public:
  struct Options {
    // Chrome's default start; a viewer's first seconds are spent at the low layer, and the
    // start-up probes (RequestProbe) find more within about a second.
    uint64_t start_bps = 300'000;
    uint64_t min_bps = 30'000;
    uint64_t max_bps = 20'000'000;
    SendHistory::Options history;
    AcknowledgedBitrate::Options acknowledged;
    TrendlineEstimator::Options trendline;
    OveruseDetector::Options detector;
    LossBasedControl::Options loss;    // start/min taken from above
    ProbeController::Options probing;  // max_bps taken from above
  };

  // What the stats API and metrics show per viewer.
  struct State {
    uint64_t target_bps = 0;
    BweReason reason = BweReason::kStart;  // why target_bps has its current value
    DelayState delay_state = DelayState::kNormal;
    double loss_fraction = 0;  // of the last loss window (transport-cc) or receiver report
    std::optional<uint64_t> acknowledged_bps;
    uint64_t delay_based_bps = 0;
    std::optional<uint64_t> loss_based_bps;  // once loss was reported
    std::optional<uint64_t> remb_bps;        // once a REMB came
    int64_t rtt_us = 0;
  };

  struct Counters {
    uint64_t remb_received = 0;
    uint64_t receiver_reports_used = 0;
    uint64_t receiver_reports_ignored = 0;       // transport-cc loss is used instead
    uint64_t probe_packets_without_cluster = 0;  // probe=true with no cluster granted
    uint64_t overuse_decreases = 0;
    uint64_t loss_decreases = 0;
  };

  SendSideBandwidthEstimator() : SendSideBandwidthEstimator(Options{}) {}
  explicit SendSideBandwidthEstimator(Options options);

  // Every packet sent on the transport with a transport-wide sequence number. Probe packets
  // (padding/RTX sent for a cluster RequestProbe granted) pass probe=true.
  void OnPacketSent(uint16_t transport_seq, size_t bytes, uint64_t send_us, bool probe = false);
  // One transport-cc feedback (RTPFB FMT 15) from the receiver.
  void OnTransportFeedback(const rtcp::TransportCc& feedback, uint64_t now_us);
  // The receiver's REMB (draft-alvestrand-rmcat-remb), rtcp::Remb::bitrate_bps().
  void OnRemb(uint64_t bps, uint64_t now_us);
  // An RTCP receiver report's fraction lost for our stream (RFC 3550 §6.4.1). Used only while
  // the receiver sends no transport-cc feedback (that already says what was lost).
  void OnReceiverReport(uint8_t fraction_lost, uint64_t now_us);
  // An RTT measured elsewhere (RR LSR/DLSR); replaces the one taken from feedback.
  void OnRtt(uint64_t rtt_us);
  // Someone needs `needed_bps` (an up-switch); returns a probe cluster to send now, or
  // nothing (not needed, one in flight, estimate not stable, too soon after the last).
  std::optional<ProbeClusterSpec> RequestProbe(uint64_t needed_bps, uint64_t now_us);

  uint64_t target_bps() const { return state_.target_bps; }
  const State& state() const { return state_; }
  const Counters& counters() const { return counters_; }
  const FeedbackMatcher::Counters& feedback_counters() const { return matcher_.counters(); }
  const ProbeController& probe_controller() const { return probe_controller_; }
  const DelayBasedBwe& delay_based() const { return delay_; }

 private:
  enum class Limit : uint8_t { kStart, kDelay, kLoss, kRemb };
  void UpdateTarget(int64_t now_us);
  int64_t Rtt() const;

  Options options_;
  SendHistory history_;
  FeedbackMatcher matcher_;
  AcknowledgedBitrate acknowledged_;
  DelayBasedBwe delay_;
  LossBasedControl loss_;
  ProbeBitrateEstimator probe_estimator_;
  ProbeController probe_controller_;

  bool feedback_seen_ = false;
  std::optional<uint64_t> remb_bps_;
  BweReason delay_reason_ = BweReason::kStart;
  BweReason loss_reason_ = BweReason::kStart;
  std::optional<int64_t> external_rtt_us_;
  // The lowest of the last few feedback RTT samples: each includes how long the receiver held
  // the newest packet before sending feedback, the minimum is the closest to the path's RTT.
  static constexpr size_t kRttSamples = 16;
  std::array<int64_t, kRttSamples> rtt_samples_{};
  size_t rtt_sample_count_ = 0;
  size_t rtt_sample_next_ = 0;
  State state_;
  Counters counters_;
};

}  // namespace cascade::bwe
