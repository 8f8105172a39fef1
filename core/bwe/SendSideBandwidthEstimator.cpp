#include "core/bwe/SendSideBandwidthEstimator.hpp"

#include <algorithm>

namespace cascade::bwe {
namespace {

constexpr int64_t kDefaultRttUs = 200'000;

DelayBasedBwe::Options DelayOptions(const SendSideBandwidthEstimator::Options& o) {
  DelayBasedBwe::Options delay;
  delay.rate.start_bps = o.start_bps;
  delay.rate.min_bps = o.min_bps;
  delay.rate.max_bps = o.max_bps;
  delay.trendline = o.trendline;
  delay.detector = o.detector;
  return delay;
}

LossBasedControl::Options LossOptions(const SendSideBandwidthEstimator::Options& o) {
  LossBasedControl::Options loss = o.loss;
  loss.start_bps = o.start_bps;
  loss.min_bps = o.min_bps;
  return loss;
}

ProbeController::Options ProbeOptions(const SendSideBandwidthEstimator::Options& o) {
  ProbeController::Options probing = o.probing;
  probing.max_bps = o.max_bps;
  return probing;
}

}  // namespace

SendSideBandwidthEstimator::SendSideBandwidthEstimator(Options options)
    : options_(options),
      history_(options.history),
      matcher_(history_),
      acknowledged_(options.acknowledged),
      delay_(DelayOptions(options)),
      loss_(LossOptions(options)),
      probe_controller_(ProbeOptions(options)) {
  state_.target_bps = std::clamp(options.start_bps, options.min_bps, options.max_bps);
  state_.delay_based_bps = delay_.estimate_bps();
  state_.rtt_us = kDefaultRttUs;
}

void SendSideBandwidthEstimator::OnPacketSent(uint16_t transport_seq, size_t bytes, uint64_t send_us,
                                              bool probe) {
  const auto now_us = static_cast<int64_t>(send_us);
  int16_t cluster = -1;
  if (probe) {
    cluster = probe_controller_.active_cluster(now_us);
    if (cluster < 0) ++counters_.probe_packets_without_cluster;
  }
  history_.OnPacketSent(transport_seq, bytes, now_us, cluster);
}

int64_t SendSideBandwidthEstimator::Rtt() const {
  if (external_rtt_us_) return *external_rtt_us_;
  if (rtt_sample_count_ == 0) return kDefaultRttUs;
  return *std::min_element(rtt_samples_.begin(),
                           rtt_samples_.begin() + static_cast<ptrdiff_t>(rtt_sample_count_));
}

void SendSideBandwidthEstimator::OnRtt(uint64_t rtt_us) {
  external_rtt_us_ = static_cast<int64_t>(rtt_us);
  delay_.SetRtt(*external_rtt_us_);
  state_.rtt_us = *external_rtt_us_;
}

void SendSideBandwidthEstimator::OnTransportFeedback(const rtcp::TransportCc& feedback, uint64_t now) {
  const auto now_us = static_cast<int64_t>(now);
  auto batch = matcher_.Match(feedback, now_us);
  if (!batch) return;
  feedback_seen_ = true;
  if (batch->rtt_sample_us) {
    rtt_samples_[rtt_sample_next_] = *batch->rtt_sample_us;
    rtt_sample_next_ = (rtt_sample_next_ + 1) % kRttSamples;
    rtt_sample_count_ = std::min(rtt_sample_count_ + 1, kRttSamples);
  }
  const int64_t rtt_us = Rtt();
  delay_.SetRtt(rtt_us);
  state_.rtt_us = rtt_us;

  std::optional<ProbeBitrateEstimator::Result> probe;
  for (const PacketResult& packet : batch->received) {
    acknowledged_.OnPacket(packet.arrival_us, packet.bytes);
    if (packet.probe_cluster < 0) continue;
    if (auto result = probe_estimator_.OnPacketReceived(packet)) probe = result;
  }
  const std::optional<uint64_t> acknowledged = acknowledged_.bitrate_bps();
  state_.acknowledged_bps = acknowledged;

  const auto change = delay_.OnFeedback(batch->received, acknowledged,
                                        probe ? std::optional<uint64_t>(probe->bps) : std::nullopt, now_us);
  switch (change) {
    case DelayBasedBwe::Change::kNone: break;
    case DelayBasedBwe::Change::kIncrease: delay_reason_ = BweReason::kIncrease; break;
    case DelayBasedBwe::Change::kDecrease:
      delay_reason_ = BweReason::kOveruse;
      ++counters_.overuse_decreases;
      break;
    case DelayBasedBwe::Change::kProbe:
      delay_reason_ = BweReason::kProbe;
      // The probe proved the path: the loss-based side starts from there too, as goog_cc's
      // SetSendBitrate after a probe.
      loss_.Reset(delay_.estimate_bps(), now_us);
      loss_reason_ = BweReason::kProbe;
      break;
  }
  if (probe) {
    if (change == DelayBasedBwe::Change::kProbe) {
      probe_controller_.OnProbeResult(probe->cluster, true);
    } else if (probe->complete) {
      probe_controller_.OnProbeResult(probe->cluster, false);
    }
  }

  uint64_t upper = std::min(options_.max_bps, delay_.estimate_bps());
  if (remb_bps_) upper = std::min(upper, *remb_bps_);
  const size_t reported = batch->received.size() + batch->lost;
  switch (loss_.OnPacketsReported(reported, batch->lost, upper, rtt_us, now_us)) {
    case LossBasedControl::Change::kNone: break;
    case LossBasedControl::Change::kIncrease: loss_reason_ = BweReason::kIncrease; break;
    case LossBasedControl::Change::kDecrease:
      loss_reason_ = BweReason::kLoss;
      ++counters_.loss_decreases;
      break;
  }
  state_.delay_state = delay_.state();
  UpdateTarget(now_us);
}

void SendSideBandwidthEstimator::OnRemb(uint64_t bps, uint64_t now_us) {
  ++counters_.remb_received;
  remb_bps_ = bps;
  UpdateTarget(static_cast<int64_t>(now_us));
}

void SendSideBandwidthEstimator::OnReceiverReport(uint8_t fraction_lost, uint64_t now) {
  if (feedback_seen_) {
    ++counters_.receiver_reports_ignored;
    return;
  }
  ++counters_.receiver_reports_used;
  const auto now_us = static_cast<int64_t>(now);
  uint64_t upper = options_.max_bps;
  if (remb_bps_) upper = std::min(upper, *remb_bps_);
  switch (loss_.OnFractionLost(fraction_lost, upper, Rtt(), now_us)) {
    case LossBasedControl::Change::kNone: break;
    case LossBasedControl::Change::kIncrease: loss_reason_ = BweReason::kIncrease; break;
    case LossBasedControl::Change::kDecrease:
      loss_reason_ = BweReason::kLoss;
      ++counters_.loss_decreases;
      break;
  }
  UpdateTarget(now_us);
}

std::optional<ProbeClusterSpec> SendSideBandwidthEstimator::RequestProbe(uint64_t needed_bps, uint64_t now) {
  const auto now_us = static_cast<int64_t>(now);
  auto spec =
      probe_controller_.RequestProbe(std::min(needed_bps, options_.max_bps), state_.target_bps, now_us);
  if (spec) probe_estimator_.OnClusterStarted(spec->id, spec->min_packets, spec->min_bytes);
  return spec;
}

void SendSideBandwidthEstimator::UpdateTarget(int64_t now_us) {
  // Without transport-cc the delay-based side knows nothing: leave it out.
  uint64_t value = options_.max_bps;
  Limit limit = Limit::kStart;
  if (feedback_seen_) {
    value = delay_.estimate_bps();
    limit = Limit::kDelay;
  }
  if (remb_bps_ && (limit == Limit::kStart || *remb_bps_ < value)) {
    value = *remb_bps_;
    limit = Limit::kRemb;
  }
  if (limit != Limit::kStart) loss_.CapTo(value);
  if (loss_.has_reports() && (limit == Limit::kStart || loss_.estimate_bps() < value)) {
    value = loss_.estimate_bps();
    limit = Limit::kLoss;
  }
  if (limit == Limit::kStart) value = options_.start_bps;
  const uint64_t target = std::clamp(value, options_.min_bps, options_.max_bps);
  loss_.FollowUntilFirstReport(target);

  state_.delay_based_bps = delay_.estimate_bps();
  state_.loss_based_bps = loss_.has_reports() ? std::optional<uint64_t>(loss_.estimate_bps()) : std::nullopt;
  state_.remb_bps = remb_bps_;
  state_.loss_fraction = loss_.loss_fraction();
  if (target == state_.target_bps) return;
  if (target < state_.target_bps) probe_controller_.OnEstimateDecreased(now_us);
  if (target != value) {
    state_.reason = BweReason::kLimit;
  } else {
    switch (limit) {
      case Limit::kStart: state_.reason = BweReason::kStart; break;
      case Limit::kDelay: state_.reason = delay_reason_; break;
      case Limit::kLoss: state_.reason = loss_reason_; break;
      case Limit::kRemb: state_.reason = BweReason::kRemb; break;
    }
  }
  state_.target_bps = target;
}

}  // namespace cascade::bwe
