#pragma once
// A deterministic bottleneck for the estimator tests: a sender (fixed rate, or following the
// estimate like an encoder would), a drop-tail FIFO link whose capacity follows a schedule,
// random loss and reordering, and a receiver that reports every 50 ms with transport-cc
// feedback built by the real TransportCcEncoder. The feedback bytes travel back and are
// parsed (CompoundReader, TransportCc::Parse) before the estimator sees them, so the wire
// format is exercised on every run. Time advances in 100 us steps; nothing is random but
// the seeded generator.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <vector>

#include "core/base/Bytes.hpp"
#include "core/bwe/SendSideBandwidthEstimator.hpp"
#include "core/rtcp/CompoundReader.hpp"
#include "core/rtcp/RtcpPacket.hpp"
#include "core/rtcp/TransportCc.hpp"
#include "core/rtcp/TransportCcEncoder.hpp"

namespace cascade::bwe::test {

struct CapacityStep {
  int64_t from_us = 0;  // simulated time since the start
  uint64_t bps = 0;
};

struct SimulationOptions {
  std::vector<CapacityStep> capacity{{0, 2'000'000}};
  int64_t one_way_delay_us = 20'000;
  int64_t max_queue_us = 300'000;  // drop-tail beyond this much queueing
  double random_loss = 0;
  double reorder_probability = 0;
  int64_t reorder_extra_us = 0;
  std::optional<uint64_t> fixed_send_bps;  // else send at the estimate
  uint64_t max_send_bps = 5'000'000;
  size_t packet_bytes = 1200;
  int64_t feedback_interval_us = 50'000;
  uint16_t first_seq = 1;
  int64_t receiver_clock_us = 5'000'000'000;  // the receiver's clock at the start
  uint64_t wanted_bps = 0;                    // ask for probes up to this (0: never)
  uint32_t seed = 7;
};

class BweSimulation {
 public:
  static constexpr int64_t kStepUs = 100;
  static constexpr int64_t kStartUs = 1'000'000;  // our clock at simulated time 0

  BweSimulation(SimulationOptions options, SendSideBandwidthEstimator::Options bwe_options)
      : options_(std::move(options)), bwe_(bwe_options), rng_(options_.seed), next_seq_(options_.first_seq) {}

  SendSideBandwidthEstimator& bwe() { return bwe_; }
  int64_t elapsed_us() const { return now_us_ - kStartUs; }
  uint64_t sent_packets() const { return sent_; }
  uint64_t dropped_packets() const { return dropped_; }
  uint64_t min_target_since(int64_t from_elapsed_us) const {
    uint64_t lowest = UINT64_MAX;
    for (const auto& [t, bps] : trace_)
      if (t >= from_elapsed_us) lowest = std::min(lowest, bps);
    return lowest;
  }
  uint64_t max_target_since(int64_t from_elapsed_us) const {
    uint64_t highest = 0;
    for (const auto& [t, bps] : trace_)
      if (t >= from_elapsed_us) highest = std::max(highest, bps);
    return highest;
  }
  bool ever_overusing() const { return ever_overusing_; }

  // Runs until `elapsed_us` of simulated time have passed since the start.
  void RunUntil(int64_t elapsed_us) {
    while (now_us_ - kStartUs < elapsed_us) Step();
  }

 private:
  struct InFlight {
    int64_t arrival_us;
    int64_t seq;
  };
  struct PendingFeedback {
    int64_t deliver_us;
    std::vector<uint8_t> bytes;
  };

  // The receiver's clock as transport-cc carries it: the reference time is a signed 24-bit
  // count of 64 ms, so the clock wraps from +2^23 to -2^23 units (what a real receiver's
  // 24-bit field does; the encoder takes arrival times in that range).
  int64_t ReceiverClock(int64_t arrival_us) const {
    constexpr int64_t kHalf = (int64_t{1} << 23) * rtcp::TransportCc::kReferenceTimeUnitUs;
    const int64_t t = arrival_us - kStartUs + options_.receiver_clock_us + kHalf;
    return ((t % (2 * kHalf)) + 2 * kHalf) % (2 * kHalf) - kHalf;
  }

  uint64_t CapacityAt(int64_t at_us) const {
    uint64_t bps = options_.capacity.front().bps;
    for (const CapacityStep& step : options_.capacity)
      if (at_us - kStartUs >= step.from_us) bps = step.bps;
    return bps;
  }

  void Send(size_t bytes, bool probe) {
    const int64_t seq = next_seq_++;
    bwe_.OnPacketSent(static_cast<uint16_t>(seq), bytes, static_cast<uint64_t>(now_us_), probe);
    ++sent_;
    std::uniform_real_distribution<double> uniform(0, 1);
    if (uniform(rng_) < options_.random_loss) return;
    const int64_t start = std::max(now_us_, link_free_us_);
    if (start - now_us_ > options_.max_queue_us) {
      ++dropped_;
      return;
    }
    link_free_us_ = start + static_cast<int64_t>(bytes * 8 * 1'000'000 / CapacityAt(start));
    int64_t arrival = link_free_us_ + options_.one_way_delay_us;
    if (uniform(rng_) < options_.reorder_probability) arrival += options_.reorder_extra_us;
    in_flight_.push_back({arrival, seq});
  }

  void SendMedia() {
    const uint64_t rate = options_.fixed_send_bps ? *options_.fixed_send_bps
                                                  : std::min(bwe_.target_bps(), options_.max_send_bps);
    budget_bits_ += static_cast<double>(rate) * kStepUs / 1e6;
    const double packet_bits = static_cast<double>(options_.packet_bytes) * 8;
    while (budget_bits_ >= packet_bits) {
      budget_bits_ -= packet_bits;
      Send(options_.packet_bytes, false);
    }
  }

  void SendProbes() {
    if (probe_packets_left_ == 0 && options_.wanted_bps > 0) {
      if (auto spec = bwe_.RequestProbe(options_.wanted_bps, static_cast<uint64_t>(now_us_))) {
        // Padding sized so min_packets carry min_bytes, spaced at the cluster's rate.
        probe_bytes_ =
            std::clamp<size_t>((spec->min_bytes + spec->min_packets - 1) / spec->min_packets, 100, 1200);
        probe_packets_left_ =
            std::max(spec->min_packets, (spec->min_bytes + probe_bytes_ - 1) / probe_bytes_);
        probe_spacing_us_ = static_cast<int64_t>(probe_bytes_ * 8 * 1'000'000 / spec->bitrate_bps);
        next_probe_us_ = now_us_;
        ++probes_;
      }
    }
    while (probe_packets_left_ > 0 && now_us_ >= next_probe_us_) {
      Send(probe_bytes_, true);
      --probe_packets_left_;
      next_probe_us_ += probe_spacing_us_;
    }
  }

  void Receive() {
    for (size_t i = 0; i < in_flight_.size();) {
      if (in_flight_[i].arrival_us <= now_us_) {
        arrived_.push_back(in_flight_[i]);
        in_flight_[i] = in_flight_.back();
        in_flight_.pop_back();
      } else {
        ++i;
      }
    }
    if (now_us_ < next_feedback_us_) return;
    next_feedback_us_ = now_us_ + options_.feedback_interval_us;
    if (arrived_.empty()) return;
    std::sort(arrived_.begin(), arrived_.end(),
              [](const InFlight& a, const InFlight& b) { return a.seq < b.seq; });
    // Continue where the last feedback ended; a late packet from before that reopens the
    // range (its neighbours are reported again, as lost: the estimator must skip them).
    const int64_t base = std::min(arrived_.front().seq, next_report_seq_.value_or(arrived_.front().seq));
    std::vector<rtcp::TccReceived> received;
    for (const InFlight& p : arrived_) {
      received.push_back({static_cast<uint16_t>(p.seq), ReceiverClock(p.arrival_us)});
    }
    next_report_seq_ = std::max(next_report_seq_.value_or(0), arrived_.back().seq + 1);
    arrived_.clear();
    std::span<const rtcp::TccReceived> rest = received;
    std::optional<uint16_t> base_seq = static_cast<uint16_t>(base);
    while (!rest.empty()) {
      rtcp::TransportCcEncoder::Params params;
      params.sender_ssrc = 0x1234;
      params.media_ssrc = 0x5678;
      params.feedback_count = feedback_count_++;
      params.base_seq = base_seq;
      std::vector<uint8_t> bytes(1500);
      base::ByteWriter writer(bytes);
      auto taken = encoder_.Encode(params, rest, writer);
      REQUIRE(taken.ok());
      REQUIRE(*taken > 0);
      bytes.resize(writer.size());
      feedback_.push_back({now_us_ + options_.one_way_delay_us, std::move(bytes)});
      rest = rest.subspan(*taken);
      base_seq.reset();
    }
  }

  void DeliverFeedback() {
    while (!feedback_.empty() && feedback_.front().deliver_us <= now_us_) {
      rtcp::CompoundReader reader(feedback_.front().bytes);
      rtcp::RtcpPacket packet;
      REQUIRE(reader.Next(packet));
      auto tcc = rtcp::TransportCc::Parse(packet);
      REQUIRE(tcc.ok());
      bwe_.OnTransportFeedback(*tcc, static_cast<uint64_t>(now_us_));
      ever_overusing_ = ever_overusing_ || bwe_.state().delay_state == DelayState::kOverusing;
      feedback_.pop_front();
    }
  }

  void Step() {
    SendProbes();
    SendMedia();
    Receive();
    DeliverFeedback();
    if ((now_us_ - kStartUs) % 10'000 == 0) trace_.emplace_back(now_us_ - kStartUs, bwe_.target_bps());
    now_us_ += kStepUs;
  }

  SimulationOptions options_;
  SendSideBandwidthEstimator bwe_;
  std::mt19937 rng_;
  int64_t now_us_ = kStartUs;
  int64_t next_seq_;
  double budget_bits_ = 0;
  int64_t link_free_us_ = 0;
  std::vector<InFlight> in_flight_;
  std::vector<InFlight> arrived_;
  std::optional<int64_t> next_report_seq_;
  int64_t next_feedback_us_ = kStartUs;
  uint8_t feedback_count_ = 0;
  rtcp::TransportCcEncoder encoder_;
  std::deque<PendingFeedback> feedback_;
  size_t probe_packets_left_ = 0;
  size_t probe_bytes_ = 0;
  int64_t probe_spacing_us_ = 0;
  int64_t next_probe_us_ = 0;
  uint64_t sent_ = 0;
  uint64_t dropped_ = 0;
  uint64_t probes_ = 0;
  bool ever_overusing_ = false;
  std::vector<std::pair<int64_t, uint64_t>> trace_;
};

}  // namespace cascade::bwe::test
