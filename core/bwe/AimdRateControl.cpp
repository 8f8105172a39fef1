#include "core/bwe/AimdRateControl.hpp"

#include <algorithm>
#include <cmath>

namespace cascade::bwe {
namespace {

constexpr double kFrameRate = 30.0;
constexpr double kMtuBytes = 1200.0;
constexpr double kMinAdditiveBpsPerSecond = 4000.0;
constexpr int64_t kResponseExtraUs = 100'000;
constexpr double kMinIncreaseBps = 1000.0;

}  // namespace

AimdRateControl::AimdRateControl(Options options)
    : options_(options), estimate_bps_(Clamp(options.start_bps)) {}

uint64_t AimdRateControl::Clamp(double bps) const {
  const double clamped =
      std::clamp(bps, static_cast<double>(options_.min_bps), static_cast<double>(options_.max_bps));
  return static_cast<uint64_t>(clamped);
}

void AimdRateControl::OnCapacitySample(double kbps, double alpha) {
  capacity_kbps_ = capacity_kbps_ ? (1 - alpha) * *capacity_kbps_ + alpha * kbps : kbps;
  const double norm = std::max(*capacity_kbps_, 1.0);
  const double error = *capacity_kbps_ - kbps;
  capacity_variance_ = std::clamp((1 - alpha) * capacity_variance_ + alpha * error * error / norm, 0.4, 2.5);
}

double AimdRateControl::CapacityDeviationKbps() const {
  return capacity_kbps_ ? std::sqrt(capacity_variance_ * *capacity_kbps_) : 0.0;
}

double AimdRateControl::MultiplicativeIncrease(int64_t now_us) const {
  double alpha = options_.multiplicative_per_second;
  if (last_change_us_ >= 0) {
    const double seconds = std::min(static_cast<double>(now_us - last_change_us_) / 1e6, 1.0);
    alpha = std::pow(alpha, std::max(seconds, 0.0));
  }
  return std::max(static_cast<double>(estimate_bps_) * (alpha - 1.0), kMinIncreaseBps);
}

double AimdRateControl::AdditiveIncrease(int64_t now_us) const {
  // One average packet of a 30 fps stream at this rate per response time.
  const double frame_bytes = static_cast<double>(estimate_bps_) / 8.0 / kFrameRate;
  const double packets_per_frame = std::ceil(frame_bytes / kMtuBytes);
  const double packet_bits = 8.0 * frame_bytes / std::max(packets_per_frame, 1.0);
  const double response_s = static_cast<double>(rtt_us_ + kResponseExtraUs) / 1e6;
  const double bps_per_second = std::max(kMinAdditiveBpsPerSecond, packet_bits / response_s);
  const double seconds = last_change_us_ >= 0 ? static_cast<double>(now_us - last_change_us_) / 1e6 : 0.0;
  return bps_per_second * std::max(seconds, 0.0);
}

uint64_t AimdRateControl::Update(DelayState signal, std::optional<uint64_t> acknowledged_bps,
                                 int64_t now_us) {
  switch (signal) {
    case DelayState::kNormal:
      if (state_ == State::kHold) {
        state_ = State::kIncrease;
        last_change_us_ = now_us;
      }
      break;
    case DelayState::kOverusing:
      if (state_ != State::kDecrease) state_ = State::kDecrease;
      break;
    case DelayState::kUnderusing: state_ = State::kHold; break;
  }

  const double current = static_cast<double>(estimate_bps_);
  double next = current;
  switch (state_) {
    case State::kHold: break;
    case State::kIncrease: {
      if (acknowledged_bps && capacity_kbps_ &&
          static_cast<double>(*acknowledged_bps) / 1000.0 > *capacity_kbps_ + 3 * CapacityDeviationKbps()) {
        capacity_kbps_.reset();  // the link got faster: search multiplicatively again
      }
      const double limit = acknowledged_bps ? 1.5 * static_cast<double>(*acknowledged_bps) + 10'000.0
                                            : static_cast<double>(options_.max_bps);
      if (current < limit) {
        const double increased =
            current + (capacity_kbps_ ? AdditiveIncrease(now_us) : MultiplicativeIncrease(now_us));
        next = std::min(increased, limit);
      }
      last_change_us_ = now_us;
      break;
    }
    case State::kDecrease: {
      if (!acknowledged_bps) {
        // Nothing acknowledged yet to base the cut on: stay, and let the next feedback decide.
        state_ = State::kHold;
        break;
      }
      const double acked = static_cast<double>(*acknowledged_bps);
      double decreased = options_.beta * acked;
      if (decreased > current && capacity_kbps_) decreased = options_.beta * *capacity_kbps_ * 1000.0;
      if (decreased < current) next = decreased;
      if (capacity_kbps_ && acked / 1000.0 < *capacity_kbps_ - 3 * CapacityDeviationKbps())
        capacity_kbps_.reset();
      OnCapacitySample(acked / 1000.0, 0.05);
      state_ = State::kHold;
      last_change_us_ = now_us;
      break;
    }
  }
  estimate_bps_ = Clamp(next);
  return estimate_bps_;
}

void AimdRateControl::SetEstimate(uint64_t bps, int64_t now_us) {
  estimate_bps_ = Clamp(static_cast<double>(bps));
  last_change_us_ = now_us;
}

bool AimdRateControl::TimeToReduceFurther(int64_t now_us, uint64_t acknowledged_bps) const {
  const int64_t interval_us = std::clamp<int64_t>(rtt_us_, 10'000, 200'000);
  if (now_us - last_change_us_ >= interval_us) return true;
  return acknowledged_bps < estimate_bps_ / 2;
}

}  // namespace cascade::bwe
