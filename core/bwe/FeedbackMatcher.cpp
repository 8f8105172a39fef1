#include "core/bwe/FeedbackMatcher.hpp"

#include <algorithm>

namespace cascade::bwe {

FeedbackMatcher::FeedbackMatcher(SendHistory& history, size_t reserve)
    : history_(history), decoder_(reserve) {
  received_.reserve(reserve);
}

int64_t FeedbackMatcher::UnwrapReferenceUs(int32_t reference_time) {
  if (!last_reference_) {
    reference_units_ = reference_time;
  } else {
    // The field is 24 bits: the step is the signed 24-bit difference, so a wrap (or an older
    // feedback arriving after a newer one) moves the clock by the short way.
    const uint32_t raw = static_cast<uint32_t>(reference_time - *last_reference_) & 0xffffff;
    const int32_t step = (raw & 0x800000) ? static_cast<int32_t>(raw) - 0x1000000 : static_cast<int32_t>(raw);
    reference_units_ += step;
  }
  last_reference_ = reference_time;
  return reference_units_ * rtcp::TransportCc::kReferenceTimeUnitUs;
}

std::optional<FeedbackMatcher::Batch> FeedbackMatcher::Match(const rtcp::TransportCc& feedback,
                                                             int64_t now_us) {
  auto decoded = decoder_.Decode(feedback);
  if (!decoded) {
    counters_.malformed.Inc(decoded.error());
    return std::nullopt;
  }
  ++counters_.feedbacks;
  // The decoder's arrival times start at reference_time × 64 ms; move them onto our
  // unwrapped receiver clock.
  const int64_t decoded_base_us =
      static_cast<int64_t>(feedback.reference_time()) * rtcp::TransportCc::kReferenceTimeUnitUs;
  const int64_t unwrapped_base_us = UnwrapReferenceUs(feedback.reference_time());

  received_.clear();
  Batch batch;
  int64_t newest_seq = INT64_MIN;
  int64_t newest_send_us = 0;
  for (const rtcp::TccPacketResult& result : decoder_.results()) {
    const int64_t seq = history_.UnwrapFeedbackSeq(result.seq);
    SendHistory::Found found = history_.Find(seq, now_us);
    if (found.lookup == SendHistory::Lookup::kUnknown) {
      ++counters_.unknown_seq;
      continue;
    }
    if (found.lookup == SendHistory::Lookup::kExpired) {
      ++counters_.expired_seq;
      continue;
    }
    SendHistory::Record& record = *found.record;
    if (!result.received) {
      if (record.reported != SendHistory::Reported::kNotYet) {
        ++counters_.duplicates;
        continue;
      }
      record.reported = SendHistory::Reported::kLost;
      ++counters_.lost;
      ++batch.lost;
      continue;
    }
    if (record.reported == SendHistory::Reported::kReceived) {
      ++counters_.duplicates;
      continue;
    }
    if (record.reported == SendHistory::Reported::kLost) ++counters_.late;
    record.reported = SendHistory::Reported::kReceived;
    ++counters_.received;
    received_.push_back({seq, record.send_us, result.arrival_us - decoded_base_us + unwrapped_base_us,
                         record.bytes, record.probe_cluster});
    if (seq > newest_seq) {
      newest_seq = seq;
      newest_send_us = record.send_us;
    }
  }
  // The delay-based estimator reads packets in the order they arrived (libwebrtc's
  // SortedByReceiveTime); packets overtaken on the way then show up as out of send order.
  std::sort(received_.begin(), received_.end(), [](const PacketResult& a, const PacketResult& b) {
    return a.arrival_us != b.arrival_us ? a.arrival_us < b.arrival_us : a.seq < b.seq;
  });
  batch.received = received_;
  if (newest_seq != INT64_MIN && now_us >= newest_send_us) batch.rtt_sample_us = now_us - newest_send_us;
  return batch;
}

}  // namespace cascade::bwe
