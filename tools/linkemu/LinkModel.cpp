#include "tools/linkemu/LinkModel.hpp"

#include <algorithm>
#include <cmath>

namespace cascade::linkemu {

const char* ToString(DropReason reason) {
  switch (reason) {
    case DropReason::kRandomLoss: return "random";
    case DropReason::kBurstLoss: return "burst";
    case DropReason::kQueueFull: return "queue";
    case DropReason::kHoldFull: return "hold_full";
    case DropReason::kSendQueueFull: return "send_queue";
    case DropReason::kTooManyPeers: return "too_many_peers";
    case DropReason::kStray: return "stray";
    case DropReason::kCount: break;
  }
  return "unknown";
}

double LinkModel::StandardNormal(Rng& rng) {
  // Box–Muller; one value per call keeps the model stateless about spare samples.
  const double u1 = 1.0 - Uniform(rng);  // (0, 1]
  const double u2 = Uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

void LinkModel::SetParams(const LinkParams& params) {
  params_ = params;
  if (params_.burst_p_good_to_bad <= 0) bad_ = false;
  // Control path: the ring is sized here so Decide never allocates. Packets still queued
  // under the old bound are forgotten, which only matters for one queue's worth of packets.
  in_queue_.assign(params_.queue_packets, 0);
  ring_head_ = 0;
  ring_count_ = 0;
}

bool LinkModel::Enqueue(uint64_t now_us, size_t bytes, uint64_t& ready_us) {
  const double rate = static_cast<double>(params_.rate_bps);
  const double now = static_cast<double>(now_us);
  // Tokens accumulate while idle, up to burst_bytes.
  bucket_time_us_ = std::max(bucket_time_us_, now - static_cast<double>(params_.burst_bytes) * 8e6 / rate);
  const double wait_us = bucket_time_us_ - now;  // queueing delay before this packet's turn
  while (ring_count_ > 0 && in_queue_[ring_head_] <= now_us) {
    ring_head_ = (ring_head_ + 1) % in_queue_.size();
    --ring_count_;
  }
  if ((params_.queue_ms > 0 && wait_us > params_.queue_ms * 1000) ||
      (params_.queue_packets > 0 && ring_count_ >= params_.queue_packets))
    return false;
  bucket_time_us_ += static_cast<double>(bytes) * 8e6 / rate;
  ready_us = std::max(now_us, static_cast<uint64_t>(std::ceil(bucket_time_us_)));
  if (!in_queue_.empty()) {
    in_queue_[(ring_head_ + ring_count_) % in_queue_.size()] = ready_us;
    ++ring_count_;
  }
  return true;
}

LinkModel::Decision LinkModel::Decide(uint64_t now_us, size_t bytes, Rng& rng) {
  ++counters_.packets;
  counters_.bytes += bytes;
  Decision d;
  const LinkParams& p = params_;
  auto drop = [&](DropReason reason) {
    counters_.drops.Inc(reason);
    d.drop = true;
    d.reason = reason;
    return d;
  };

  bool lost = p.loss > 0 && Uniform(rng) < p.loss;
  if (p.burst_p_good_to_bad > 0) {
    // The packet sees the current state, then the chain steps once per packet, so bad
    // stretches last a geometric number of packets with mean 1 / p_bad_to_good.
    const bool burst_lost = bad_ && Uniform(rng) < p.burst_loss_in_bad;
    bad_ = bad_ ? !(Uniform(rng) < p.burst_p_bad_to_good) : Uniform(rng) < p.burst_p_good_to_bad;
    if (!lost && burst_lost) return drop(DropReason::kBurstLoss);
  }
  if (lost) return drop(DropReason::kRandomLoss);

  uint64_t ready_us = now_us;
  if (p.rate_bps > 0 && !Enqueue(now_us, bytes, ready_us)) return drop(DropReason::kQueueFull);

  double extra_us = p.delay_ms * 1000;
  if (p.jitter_ms > 0) {
    const double sample =
        p.jitter_distribution == JitterDistribution::kNormal ? StandardNormal(rng) : 2 * Uniform(rng) - 1;
    extra_us += sample * p.jitter_ms * 1000;
  }
  uint64_t departure = ready_us + static_cast<uint64_t>(std::llround(std::max(0.0, extra_us)));
  if (!p.allow_reorder) departure = std::max(departure, last_departure_us_);
  last_departure_us_ = std::max(last_departure_us_, departure);
  d.departure_us = departure;

  if (p.duplicate > 0 && Uniform(rng) < p.duplicate) {
    d.duplicate = true;
    ++counters_.duplicated;
  }
  return d;
}

}  // namespace cascade::linkemu
