#pragma once
// When each of the bench's in-process endpoints received each packet of the mesh streams.
//
// Every endpoint sees the same packets (a relay changes nothing but the SSRC, and that is
// already mesh-wide), so a packet is identified by its SSRC and sequence number. Sequence
// numbers are extended to 64 bits against one counter per stream shared by all endpoints:
// the endpoints receive a packet within milliseconds of each other, so they agree on its
// extended number even across a 16-bit wrap. Arrival times are recorded only inside a
// measuring window, for the packets numbered after the highest one seen when it started and
// up to the highest one seen when it ended, so each endpoint's delivery is exact and the
// arrival times of one packet at two endpoints can be subtracted.
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace cascade::relaybench {

class ArrivalLog {
 public:
  explicit ArrivalLog(size_t endpoints) : endpoints_(endpoints) {}

  // A packet reached `endpoint` (0 .. endpoints-1) at `now_us`.
  void OnPacket(size_t endpoint, uint32_t ssrc, uint16_t sequence_number, uint64_t now_us);

  // Starts recording: the window holds every packet numbered after the highest of each
  // stream seen so far (a stream first seen later starts at its first packet).
  void StartWindow(uint64_t now_us);
  // The window's last packet of each stream is the highest seen now; later arrivals of
  // packets up to it are still recorded (until Stop), later packets are not.
  void EndWindow();
  void Stop() { recording_ = false; }

  // Packets the publisher sent in the window (over every stream), and how many of them
  // each endpoint received.
  uint64_t expected() const;
  std::vector<uint64_t> received() const;
  // For every packet in the window both endpoints received: arrival at `endpoint` minus
  // arrival at `reference`, in microseconds (negative when `endpoint` got it first).
  std::vector<int64_t> Delays(size_t reference, size_t endpoint) const;

  size_t endpoints() const { return endpoints_; }
  size_t streams() const { return streams_.size(); }

  // Nearest-rank percentile (0..100) of `values` (reordered); 0 when empty.
  static int64_t Percentile(std::vector<int64_t>& values, double percent);

 private:
  struct Stream {
    uint64_t highest = 0;  // highest extended sequence number any endpoint saw
    bool in_window = false;
    uint64_t first = 0;                           // the window's first packet
    uint64_t last = UINT64_MAX;                   // the window's last packet, once EndWindow set it
    std::vector<std::vector<uint32_t>> arrivals;  // [endpoint][number - first]: µs after the window start + 1
  };
  static constexpr size_t kMaxPacketsPerStream = 8u << 20;

  size_t endpoints_;
  std::unordered_map<uint32_t, Stream> streams_;
  bool recording_ = false;
  bool ended_ = false;
  uint64_t window_start_us_ = 0;
};

}  // namespace cascade::relaybench
