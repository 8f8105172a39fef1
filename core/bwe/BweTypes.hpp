#pragma once
// Values shared by the parts of the send-side bandwidth estimator (core/bwe): one packet's
// fate as transport-cc feedback reported it, the delay detector's verdict, and why the
// target last moved.
#include <cstdint>

namespace cascade::bwe {

// A sent packet that feedback reported as received, with its send-side record.
struct PacketResult {
  int64_t seq = 0;         // transport-wide sequence number, unwrapped
  int64_t send_us = 0;     // our clock
  int64_t arrival_us = 0;  // the receiver's clock (unwrapped reference time + deltas)
  uint32_t bytes = 0;
  int16_t probe_cluster = -1;  // ProbeClusterSpec::id, -1 for media
};

// draft-ietf-rmcat-gcc-02 §5.4: the over-use detector's signal.
enum class DelayState : uint8_t { kNormal, kOverusing, kUnderusing };

// What made the target take its current value (draft-ietf-rmcat-gcc-02 §5.5/§6; the labels
// of the per-viewer stats).
enum class BweReason : uint8_t {
  kStart,     // the start bitrate, nothing measured yet
  kIncrease,  // delay-based or loss-based increase (no congestion seen)
  kOveruse,   // delay-based decrease: the queue grew
  kLoss,      // loss-based decrease: more than 10 % lost
  kRemb,      // the receiver's REMB is the limit
  kProbe,     // a probe cluster showed more capacity
  kLimit,     // clamped to the configured min or max
  kCount
};

constexpr const char* ToString(DelayState state) {
  switch (state) {
    case DelayState::kNormal: return "normal";
    case DelayState::kOverusing: return "overusing";
    case DelayState::kUnderusing: return "underusing";
  }
  return "unknown";
}

constexpr const char* ToString(BweReason reason) {
  switch (reason) {
    case BweReason::kStart: return "start";
    case BweReason::kIncrease: return "increase";
    case BweReason::kOveruse: return "overuse";
    case BweReason::kLoss: return "loss";
    case BweReason::kRemb: return "remb";
    case BweReason::kProbe: return "probe";
    case BweReason::kLimit: return "limit";
    case BweReason::kCount: break;
  }
  return "unknown";
}

}  // namespace cascade::bwe
