#include "core/rtcp/TransportFeedbackGenerator.hpp"

#include <algorithm>

namespace cascade::rtcp {

TransportFeedbackGenerator::TransportFeedbackGenerator(Config config) : config_(config) {
  arrivals_.fill(kNotReceived);
}

void TransportFeedbackGenerator::Start(int64_t unwrapped, int64_t arrival_us) {
  arrivals_.fill(kNotReceived);
  started_ = true;
  highest_ = unwrapped;
  report_from_ = unwrapped;
  pending_ = 0;
  overflowed_ = false;
  last_build_us_ = arrival_us;  // the first feedback goes one interval after the first packet
}

size_t TransportFeedbackGenerator::CountReceived(int64_t from, int64_t to) const {
  size_t count = 0;
  for (int64_t s = from; s < to; ++s) count += Slot(s) != kNotReceived ? 1 : 0;
  return count;
}

void TransportFeedbackGenerator::AdvanceTo(int64_t unwrapped) {
  // The slots newer than highest_ held numbers kWindow older: clear them.
  const int64_t clear_from = std::max(highest_ + 1, unwrapped - static_cast<int64_t>(kWindow) + 1);
  const int64_t oldest_kept = unwrapped - static_cast<int64_t>(kWindow) + 1;
  if (report_from_ < oldest_kept) {
    // Unreported packets are about to be overwritten: they fall out of every feedback.
    const size_t lost = CountReceived(report_from_, std::min(oldest_kept, highest_ + 1));
    counters_.forgotten += lost;
    pending_ -= lost;
    report_from_ = oldest_kept;
  }
  for (int64_t s = clear_from; s <= unwrapped; ++s) Slot(s) = kNotReceived;
  highest_ = unwrapped;
}

void TransportFeedbackGenerator::OnPacket(uint16_t transport_seq, int64_t arrival_us) {
  const int64_t unwrapped = unwrapper_.Unwrap(transport_seq);
  if (!started_) Start(unwrapped, arrival_us);
  if (unwrapped <= highest_ - static_cast<int64_t>(kWindow)) {
    if (++too_old_run_ < kRestartAfterTooOld) {
      ++counters_.too_old;
      return;
    }
    // A run of them is not reordering but a sender that started a new sequence.
    ++counters_.restarts;
    counters_.forgotten += pending_;
    Start(unwrapped, arrival_us);
  }
  too_old_run_ = 0;
  if (unwrapped > highest_) AdvanceTo(unwrapped);
  int64_t& slot = Slot(unwrapped);
  if (slot != kNotReceived) {
    ++counters_.duplicates;
    return;
  }
  slot = arrival_us;
  ++counters_.packets;
  if (unwrapped < report_from_) {
    // Reported lost already: the next feedback restarts here and says it arrived.
    pending_ += CountReceived(unwrapped, report_from_);
    report_from_ = unwrapped;
  } else {
    ++pending_;
  }
}

bool TransportFeedbackGenerator::Due(int64_t now_us) const {
  if (pending_ == 0) return false;
  return overflowed_ || pending_ >= config_.max_pending || now_us - last_build_us_ >= config_.interval_us;
}

size_t TransportFeedbackGenerator::Build(uint32_t sender_ssrc, uint32_t media_ssrc, int64_t now_us,
                                         base::ByteWriter& out) {
  if (pending_ == 0) return 0;
  size_t count = 0;
  for (int64_t s = report_from_; s <= highest_; ++s) {
    const int64_t arrival = Slot(s);
    if (arrival != kNotReceived) batch_[count++] = {static_cast<uint16_t>(s), arrival};
  }
  TransportCcEncoder::Params params;
  params.sender_ssrc = sender_ssrc;
  params.media_ssrc = media_ssrc;
  params.feedback_count = feedback_count_;
  params.base_seq = static_cast<uint16_t>(report_from_);
  params.max_packet_size = config_.max_packet_size;
  const size_t before = out.size();
  auto taken = encoder_.Encode(params, std::span<const TccReceived>(batch_.data(), count), out);
  if (!taken.ok() || *taken == 0 || !out.ok()) {
    ++counters_.build_errors;
    return 0;
  }
  if (*taken == count) {
    report_from_ = highest_ + 1;
    pending_ = 0;
    overflowed_ = false;
  } else {
    // Continue right after the last packet carried, so the losses before the next one
    // are reported too.
    const auto offset = static_cast<uint16_t>(batch_[*taken - 1].seq - static_cast<uint16_t>(report_from_));
    report_from_ += offset + 1;
    pending_ -= *taken;
    overflowed_ = true;
  }
  ++feedback_count_;
  ++counters_.feedbacks;
  last_build_us_ = now_us;
  return out.size() - before;
}

}  // namespace cascade::rtcp
