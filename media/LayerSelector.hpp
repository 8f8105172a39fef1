#pragma once
// Per viewer, which simulcast layer (spatial) and how many temporal layers it gets, from its
// bandwidth estimate, its preference (a thumbnail wants the low layer, a main view the best
// one) and what the publisher sends now. Pure: the room feeds it on its tick and acts on the
// target (spatial switches at the new layer's keyframe, temporal at once through
// TemporalLayerFilter).
//
// The choices form one ladder, cheapest first: the lowest live layer at reduced frame rates
// (TL0, TL0+1, ...), then every live layer at its full rate. Moving on it has hysteresis so
// the picture does not flap:
//   down: the estimate stays below the current rung's bitrate x down_ratio for down_hold,
//         or at once when it is below bitrate x large_deficit_ratio; to the best rung that fits.
//   up:   the estimate exceeds a higher rung's bitrate x up_ratio for up_hold. Until it does,
//         wants_probe_bps says how much the estimator has to prove (a probe) for the next rung.
// The lowest rung (TL0 of the lowest layer) is kept whatever the estimate: a low frame rate
// rather than a freeze. A layer that stops (the publisher's encoder paused it) is left at
// once for the best one that fits, and taken back as soon as it is live and fits.
//
//   LayerSelector selector;
//   selector.SetPreference(*LayerPreference::Parse("low"));
//   const LayerTarget& t = selector.Update(now_us, estimate_bps, layers);  // twice a second
//   if (t.changed) { switch source to t.spatial_id at a keyframe; filter.SetTarget(t.temporal); }
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cascade::media {

enum class LayerSwitchReason : uint8_t {
  kNone,          // no layer chosen yet
  kStart,         // the first choice
  kEstimateDown,  // the estimate no longer carries the layer
  kEstimateUp,    // the estimate carried a better layer long enough
  kPreference,    // the viewer's preference changed (or excludes the layer)
  kLayerGone,     // the publisher stopped sending the layer
  kLayerBack,     // a layer left because it was gone is live again
  kCount
};
const char* ToString(LayerSwitchReason reason);

inline constexpr size_t kMaxSpatialLayers = 8;
inline constexpr size_t kMaxTemporalLayers = 4;  // VP8 TID is 2 bits
// LayerTarget::temporal: every temporal layer the layer has.
inline constexpr uint8_t kAllTemporalLayers = 0xff;

// One simulcast stream of the publisher as this node sees it now.
struct SpatialLayer {
  uint32_t id = 0;              // the room's source id (its SSRC); never 0
  std::string_view rid;         // informational ("q", "h", "f")
  uint64_t bitrate_bps = 0;     // measured over the last tick, every temporal layer included
  bool live = false;            // packets arrived recently
  uint16_t height = 0;          // from its last keyframe; 0: unknown
  uint8_t temporal_layers = 1;  // highest TID seen + 1
  // Bitrate of TL0, TL0+1, ... when the room measures it; a 0 entry falls back to
  // libwebrtc's default split of a layer's rate between its temporal layers.
  std::array<uint64_t, kMaxTemporalLayers> temporal_bitrate_bps{};
};

// Puts layers in rank order, lowest first: by keyframe height where both are known, else by
// bitrate. An insertion sort: a handful of layers, no allocation, and well defined for this
// order (which is not a strict weak ordering once some heights are unknown, so std::sort
// must not be given it; GCC 12 also warns on std::sort over a small std::array).
void SortLayersLowToHigh(std::span<SpatialLayer> layers);

// What the viewer asked for (WHEP resource or data-channel message); the selector never
// goes above it, and never below the lowest live layer because of it.
struct LayerPreference {
  uint8_t max_spatial = 0xff;  // rank in the publisher's order, 0 = lowest
  uint16_t max_height = 0;     // pixels; 0: no limit (unknown heights pass)
  uint8_t max_temporal = kAllTemporalLayers;

  // "low", "medium", "high" / "auto" (no limit), or a height such as "360p"; trailing
  // spaces and line ends are ignored.
  static std::optional<LayerPreference> Parse(std::string_view text);
  static constexpr const char* kSyntaxError =
      "layer preference must be low, medium, high, auto or a height such as 360p";
  bool operator==(const LayerPreference&) const = default;
};

struct LayerTarget {
  uint32_t spatial_id = 0;                              // 0: nothing to forward (no live layer)
  uint8_t spatial_rank = 0;                             // index in the layers given to Update
  uint8_t temporal = kAllTemporalLayers;                // highest TID to forward
  uint64_t bitrate_bps = 0;                             // what the target is expected to cost
  LayerSwitchReason reason = LayerSwitchReason::kNone;  // of the last switch
  uint64_t wants_probe_bps = 0;  // an estimate the next rung needs but not yet seen; 0: none
  bool changed = false;          // this Update moved spatial_id or temporal
};

class LayerSelector {
 public:
  struct Config {
    double down_ratio = 1.0;
    double large_deficit_ratio = 0.5;
    double up_ratio = 1.25;
    int64_t down_hold_us = 1'000'000;
    int64_t up_hold_us = 2'500'000;
  };

  explicit LayerSelector(Config config) : config_(config) {}
  LayerSelector() : LayerSelector(Config{}) {}

  // Applies at the next Update, without hold times in either direction.
  void SetPreference(const LayerPreference& preference);
  // `estimate_bps` 0: no estimate yet (no feedback from the viewer): the best allowed layer.
  // `layers` in rank order, lowest first (at most kMaxSpatialLayers are looked at).
  const LayerTarget& Update(int64_t now_us, uint64_t estimate_bps, std::span<const SpatialLayer> layers);

  const LayerTarget& target() const { return target_; }
  const LayerPreference& preference() const { return preference_; }
  uint64_t switches() const { return switches_; }

 private:
  struct Rung {
    uint8_t layer = 0;  // index into the layers
    uint32_t id = 0;
    uint8_t temporal = kAllTemporalLayers;
    uint64_t bitrate_bps = 0;
  };
  void BuildLadder(std::span<const SpatialLayer> layers);
  std::optional<size_t> FindCurrent() const;
  size_t BestFitting(uint64_t estimate_bps) const;
  void SwitchTo(size_t rung, LayerSwitchReason reason);
  bool IsLive(std::span<const SpatialLayer> layers, uint32_t id) const;

  const Config config_;
  LayerPreference preference_;
  bool preference_changed_ = false;
  std::array<Rung, kMaxSpatialLayers + kMaxTemporalLayers> ladder_{};
  size_t rungs_ = 0;
  LayerTarget target_;
  bool started_ = false;
  uint32_t gone_id_ = 0;  // a layer left because it stopped, to take back when it returns
  std::optional<int64_t> below_since_us_;
  std::optional<int64_t> above_since_us_;
  uint64_t switches_ = 0;
};

}  // namespace cascade::media
