#include "tools/relaybench/ArrivalLog.hpp"

#include <algorithm>
#include <cmath>

namespace cascade::relaybench {

void ArrivalLog::OnPacket(size_t endpoint, uint32_t ssrc, uint16_t sequence_number, uint64_t now_us) {
  auto [it, inserted] = streams_.try_emplace(ssrc);
  Stream& stream = it->second;
  uint64_t number = 0;
  if (inserted) {
    number = stream.highest = 65536u + sequence_number;
  } else {
    // Against the highest seen by any endpoint (RFC 3550 appendix A.1), reordering within
    // half the sequence space.
    number = (stream.highest & ~uint64_t{0xffff}) + sequence_number;
    if (number + 32768 < stream.highest) {
      number += 65536;
    } else if (number > stream.highest + 32768) {
      number -= 65536;
    }
    stream.highest = std::max(stream.highest, number);
  }
  if (!recording_ || endpoint >= endpoints_) return;
  if (!stream.in_window) {
    if (ended_) return;  // a stream that began after the window
    stream.in_window = true;
    stream.first = number;
    stream.arrivals.assign(endpoints_, {});
  }
  if (number < stream.first || number > stream.last) return;
  const size_t index = static_cast<size_t>(number - stream.first);
  if (index >= kMaxPacketsPerStream) return;
  auto& row = stream.arrivals[endpoint];
  if (row.size() <= index) row.resize(std::max(index + 1, row.size() * 2));
  if (row[index] != 0) return;  // a duplicate (a resend): the first arrival counts
  const uint64_t offset = now_us >= window_start_us_ ? now_us - window_start_us_ + 1 : 1;
  row[index] = static_cast<uint32_t>(std::min<uint64_t>(offset, UINT32_MAX));
}

void ArrivalLog::StartWindow(uint64_t now_us) {
  window_start_us_ = now_us;
  recording_ = true;
  ended_ = false;
  for (auto& [ssrc, stream] : streams_) {
    stream.in_window = true;
    stream.first = stream.highest + 1;
    stream.last = UINT64_MAX;
    stream.arrivals.assign(endpoints_, {});
  }
}

void ArrivalLog::EndWindow() {
  ended_ = true;
  for (auto& [ssrc, stream] : streams_) {
    if (stream.in_window) stream.last = stream.highest;  // below first: an empty window
  }
}

uint64_t ArrivalLog::expected() const {
  uint64_t total = 0;
  for (const auto& [ssrc, stream] : streams_) {
    if (stream.in_window && stream.last != UINT64_MAX && stream.last >= stream.first) {
      total += std::min<uint64_t>(stream.last - stream.first + 1, kMaxPacketsPerStream);
    }
  }
  return total;
}

std::vector<uint64_t> ArrivalLog::received() const {
  std::vector<uint64_t> counts(endpoints_, 0);
  for (const auto& [ssrc, stream] : streams_) {
    if (!stream.in_window || stream.last == UINT64_MAX || stream.last < stream.first) continue;
    const size_t count =
        static_cast<size_t>(std::min<uint64_t>(stream.last - stream.first + 1, kMaxPacketsPerStream));
    for (size_t e = 0; e < endpoints_ && e < stream.arrivals.size(); ++e) {
      const auto& row = stream.arrivals[e];
      const size_t n = std::min(count, row.size());
      counts[e] += static_cast<uint64_t>(std::count_if(row.begin(), row.begin() + static_cast<ptrdiff_t>(n),
                                                       [](uint32_t t) { return t != 0; }));
    }
  }
  return counts;
}

std::vector<int64_t> ArrivalLog::Delays(size_t reference, size_t endpoint) const {
  std::vector<int64_t> delays;
  for (const auto& [ssrc, stream] : streams_) {
    if (!stream.in_window || stream.last == UINT64_MAX || stream.last < stream.first) continue;
    if (reference >= stream.arrivals.size() || endpoint >= stream.arrivals.size()) continue;
    const auto& from = stream.arrivals[reference];
    const auto& to = stream.arrivals[endpoint];
    const size_t count =
        std::min({static_cast<size_t>(stream.last - stream.first + 1), from.size(), to.size()});
    for (size_t i = 0; i < count; ++i) {
      if (from[i] != 0 && to[i] != 0)
        delays.push_back(static_cast<int64_t>(to[i]) - static_cast<int64_t>(from[i]));
    }
  }
  return delays;
}

int64_t ArrivalLog::Percentile(std::vector<int64_t>& values, double percent) {
  if (values.empty()) return 0;
  auto rank = static_cast<size_t>(std::ceil(percent / 100.0 * static_cast<double>(values.size())));
  rank = std::clamp<size_t>(rank, 1, values.size());
  auto nth = values.begin() + static_cast<ptrdiff_t>(rank - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

}  // namespace cascade::relaybench
