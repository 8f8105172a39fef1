#include "core/bwe/InterArrivalDelta.hpp"

namespace cascade::bwe {

bool InterArrivalDelta::BelongsToBurst(int64_t send_us, int64_t arrival_us) const {
  const int64_t arrival_delta = arrival_us - current_.complete_us;
  const int64_t send_delta = send_us - current_.send_us;
  if (send_delta == 0) return true;
  const int64_t propagation_delta = arrival_delta - send_delta;
  return propagation_delta < 0 && arrival_delta <= kBurstDeltaUs &&
         arrival_us - current_.first_arrival_us < kMaxBurstUs;
}

bool InterArrivalDelta::StartsNewGroup(int64_t send_us, int64_t arrival_us) const {
  if (current_.empty) return false;
  if (BelongsToBurst(send_us, arrival_us)) return false;
  return send_us - current_.first_send_us > kGroupLengthUs;
}

std::optional<InterArrivalDelta::Deltas> InterArrivalDelta::OnPacket(int64_t send_us, int64_t arrival_us,
                                                                     int64_t now_us) {
  std::optional<Deltas> deltas;
  if (current_.empty) {
    current_.send_us = send_us;
    current_.first_send_us = send_us;
    current_.first_arrival_us = arrival_us;
  } else if (send_us < current_.first_send_us) {
    ++reordered_packets_;
    return std::nullopt;
  } else if (StartsNewGroup(send_us, arrival_us)) {
    if (!previous_.empty) {
      Deltas d{current_.send_us - previous_.send_us, current_.complete_us - previous_.complete_us};
      const int64_t local_delta = current_.last_local_us - previous_.last_local_us;
      if (d.arrival_delta_us - local_delta >= kArrivalOffsetResetUs) {
        // The receiver's clock jumped (or feedback stalled for seconds): start over.
        Reset();
        ++resets_;
        return std::nullopt;
      }
      if (d.arrival_delta_us < 0) {
        if (++consecutive_reordered_ >= kReorderedResetThreshold) {
          Reset();
          ++resets_;
        }
        return std::nullopt;
      }
      consecutive_reordered_ = 0;
      deltas = d;
    }
    previous_ = current_;
    current_.first_send_us = send_us;
    current_.send_us = send_us;
    current_.first_arrival_us = arrival_us;
  } else if (send_us > current_.send_us) {
    current_.send_us = send_us;
  }
  current_.empty = false;
  current_.complete_us = arrival_us;
  current_.last_local_us = now_us;
  return deltas;
}

void InterArrivalDelta::Reset() {
  current_ = {};
  previous_ = {};
  consecutive_reordered_ = 0;
}

}  // namespace cascade::bwe
