#include "core/bwe/LossBasedControl.hpp"

#include <algorithm>

namespace cascade::bwe {

LossBasedControl::LossBasedControl(Options options)
    : options_(options), estimate_bps_(std::max(options.start_bps, options.min_bps)) {}

uint64_t LossBasedControl::Set(uint64_t bps, uint64_t upper_bps) {
  estimate_bps_ = std::max(std::min(bps, upper_bps), options_.min_bps);
  return estimate_bps_;
}

void LossBasedControl::CapTo(uint64_t upper_bps) {
  if (estimate_bps_ > upper_bps) estimate_bps_ = std::max(upper_bps, options_.min_bps);
}

void LossBasedControl::Reset(uint64_t bps, int64_t now_us) {
  estimate_bps_ = std::max(bps, options_.min_bps);
  history_size_ = 0;
  PushHistory(now_us);
}

void LossBasedControl::PushHistory(int64_t now_us) {
  // Drop what is older than the increase interval, then every later entry not below the new
  // value: the front stays the minimum of the last second.
  while (history_size_ > 0 && now_us - history_[history_head_].at_us >= options_.increase_history_us) {
    history_head_ = (history_head_ + 1) % kHistory;
    --history_size_;
  }
  while (history_size_ > 0 && history_[(history_head_ + history_size_ - 1) % kHistory].bps >= estimate_bps_) {
    --history_size_;
  }
  if (history_size_ == kHistory) {  // more than kHistory rising steps in a second: drop the oldest
    history_head_ = (history_head_ + 1) % kHistory;
    --history_size_;
  }
  history_[(history_head_ + history_size_) % kHistory] = {now_us, estimate_bps_};
  ++history_size_;
}

LossBasedControl::Change LossBasedControl::OnPacketsReported(size_t reported, size_t lost, uint64_t upper_bps,
                                                             int64_t rtt_us, int64_t now_us) {
  if (reported == 0) return Change::kNone;
  if (!first_report_us_) {
    first_report_us_ = now_us;
    window_start_us_ = now_us;
  }
  window_reported_ += reported;
  window_lost_ += lost;
  if (window_reported_ < options_.min_window_packets || now_us - window_start_us_ < options_.min_window_us) {
    return Change::kNone;
  }
  last_fraction_q8_ = static_cast<uint32_t>(std::min<size_t>(window_lost_ * 256 / window_reported_, 255));
  window_reported_ = 0;
  window_lost_ = 0;
  window_start_us_ = now_us;
  decreased_since_report_ = false;
  return Evaluate(upper_bps, rtt_us, now_us);
}

LossBasedControl::Change LossBasedControl::OnFractionLost(uint8_t fraction_lost, uint64_t upper_bps,
                                                          int64_t rtt_us, int64_t now_us) {
  if (!first_report_us_) first_report_us_ = now_us;
  last_fraction_q8_ = fraction_lost;
  decreased_since_report_ = false;
  return Evaluate(upper_bps, rtt_us, now_us);
}

LossBasedControl::Change LossBasedControl::Evaluate(uint64_t upper_bps, int64_t rtt_us, int64_t now_us) {
  const uint64_t before = estimate_bps_;
  const double loss = loss_fraction();
  any_loss_ = any_loss_ || last_fraction_q8_ > 0;
  if (!any_loss_ && now_us - *first_report_us_ < options_.start_phase_us) {
    // Start phase without loss: trust the delay-based estimate and REMB entirely.
    history_size_ = 0;
    Set(upper_bps, upper_bps);
  } else if (loss <= options_.low_loss) {
    PushHistory(now_us);
    const uint64_t lowest = history_[history_head_].bps;
    Set(static_cast<uint64_t>(static_cast<double>(lowest) * 1.08 + 0.5) + 1000, upper_bps);
  } else if (loss > options_.high_loss) {
    if (!decreased_since_report_ && now_us - last_decrease_us_ >= options_.decrease_interval_us + rtt_us) {
      last_decrease_us_ = now_us;
      decreased_since_report_ = true;
      Set(static_cast<uint64_t>(static_cast<double>(estimate_bps_) * (1.0 - 0.5 * loss)), upper_bps);
    }
  } else {
    Set(estimate_bps_, upper_bps);  // 2-10 %: hold (but never above the others)
  }
  PushHistory(now_us);
  if (estimate_bps_ > before) return Change::kIncrease;
  if (estimate_bps_ < before) return Change::kDecrease;
  return Change::kNone;
}

}  // namespace cascade::bwe
