#include "media/LayerSelector.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

namespace cascade::media {
namespace {

// libwebrtc's default share of a VP8 layer's rate up to each temporal layer, by layer count
// (SimulcastRateAllocator): used until the room measures the split itself.
constexpr double kDefaultTemporalShare[kMaxTemporalLayers][kMaxTemporalLayers] = {
    {1.0, 1.0, 1.0, 1.0},
    {0.6, 1.0, 1.0, 1.0},
    {0.4, 0.6, 1.0, 1.0},
    {0.25, 0.4, 0.6, 1.0},
};

uint8_t TemporalCount(const SpatialLayer& layer) {
  return static_cast<uint8_t>(std::clamp<int>(layer.temporal_layers, 1, kMaxTemporalLayers));
}

// The rate of `layer` up to temporal layer `tid`.
uint64_t TemporalRate(const SpatialLayer& layer, uint8_t tid) {
  const uint8_t count = TemporalCount(layer);
  if (tid + 1 >= count) return layer.bitrate_bps;
  if (layer.temporal_bitrate_bps[tid] != 0) return layer.temporal_bitrate_bps[tid];
  return static_cast<uint64_t>(static_cast<double>(layer.bitrate_bps) *
                               kDefaultTemporalShare[count - 1][tid]);
}

uint64_t Scale(uint64_t bps, double ratio) { return static_cast<uint64_t>(static_cast<double>(bps) * ratio); }

}  // namespace

const char* ToString(LayerSwitchReason reason) {
  switch (reason) {
    case LayerSwitchReason::kNone: return "none";
    case LayerSwitchReason::kStart: return "start";
    case LayerSwitchReason::kEstimateDown: return "estimate_down";
    case LayerSwitchReason::kEstimateUp: return "estimate_up";
    case LayerSwitchReason::kPreference: return "preference";
    case LayerSwitchReason::kLayerGone: return "layer_gone";
    case LayerSwitchReason::kLayerBack: return "layer_back";
    case LayerSwitchReason::kCount: break;
  }
  return "unknown";
}

void SortLayersLowToHigh(std::span<SpatialLayer> layers) {
  auto lower = [](const SpatialLayer& a, const SpatialLayer& b) {
    if (a.height != b.height && a.height != 0 && b.height != 0) return a.height < b.height;
    return a.bitrate_bps < b.bitrate_bps;
  };
  for (size_t i = 1; i < layers.size(); ++i) {
    for (size_t j = i; j > 0 && lower(layers[j], layers[j - 1]); --j) std::swap(layers[j], layers[j - 1]);
  }
}

std::optional<LayerPreference> LayerPreference::Parse(std::string_view text) {
  // A request body or a data-channel message typed by hand may end in a newline.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  LayerPreference preference;
  if (text == "high" || text == "auto" || text.empty()) return preference;
  if (text == "low") {
    preference.max_spatial = 0;
    return preference;
  }
  if (text == "medium") {
    preference.max_spatial = 1;
    return preference;
  }
  if (text.size() >= 2 && text.back() == 'p') {
    unsigned height = 0;
    const char* end = text.data() + text.size() - 1;
    auto [ptr, ec] = std::from_chars(text.data(), end, height);
    if (ec == std::errc() && ptr == end && height > 0 && height <= 0xffff) {
      preference.max_height = static_cast<uint16_t>(height);
      return preference;
    }
  }
  return std::nullopt;
}

void LayerSelector::SetPreference(const LayerPreference& preference) {
  if (preference == preference_) return;
  preference_ = preference;
  preference_changed_ = true;
}

bool LayerSelector::IsLive(std::span<const SpatialLayer> layers, uint32_t id) const {
  return std::any_of(layers.begin(), layers.end(),
                     [id](const SpatialLayer& l) { return l.live && l.id == id; });
}

void LayerSelector::BuildLadder(std::span<const SpatialLayer> layers) {
  rungs_ = 0;
  layers = layers.first(std::min(layers.size(), kMaxSpatialLayers));
  auto allowed = [this](size_t index, const SpatialLayer& layer) {
    if (index > preference_.max_spatial) return false;
    return preference_.max_height == 0 || layer.height == 0 || layer.height <= preference_.max_height;
  };
  std::array<uint8_t, kMaxSpatialLayers> picked{};
  size_t count = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].live && layers[i].id != 0 && allowed(i, layers[i]))
      picked[count++] = static_cast<uint8_t>(i);
  }
  if (count == 0) {
    // The preference excludes every live layer: the lowest live one rather than nothing.
    for (size_t i = 0; i < layers.size() && count == 0; ++i) {
      if (layers[i].live && layers[i].id != 0) picked[count++] = static_cast<uint8_t>(i);
    }
  }
  for (size_t k = 0; k < count; ++k) {
    const SpatialLayer& layer = layers[picked[k]];
    const uint8_t top_tid = static_cast<uint8_t>(TemporalCount(layer) - 1);
    const bool capped = preference_.max_temporal < top_tid;
    const uint8_t full = capped ? preference_.max_temporal : top_tid;
    if (k == 0) {
      // Reduced frame rates of the lowest layer come below every full layer.
      for (uint8_t tid = 0; tid < full; ++tid)
        ladder_[rungs_++] = {picked[k], layer.id, tid, TemporalRate(layer, tid)};
    }
    ladder_[rungs_++] = {picked[k], layer.id, capped ? full : kAllTemporalLayers, TemporalRate(layer, full)};
  }
}

std::optional<size_t> LayerSelector::FindCurrent() const {
  for (size_t i = 0; i < rungs_; ++i) {
    if (ladder_[i].id == target_.spatial_id && ladder_[i].temporal == target_.temporal) return i;
  }
  return std::nullopt;
}

size_t LayerSelector::BestFitting(uint64_t estimate_bps) const {
  size_t best = 0;
  for (size_t i = 0; i < rungs_; ++i) {
    if (ladder_[i].bitrate_bps <= estimate_bps) best = i;
  }
  return best;
}

void LayerSelector::SwitchTo(size_t rung, LayerSwitchReason reason) {
  const Rung& r = ladder_[rung];
  target_.changed = r.id != target_.spatial_id || r.temporal != target_.temporal;
  if (target_.changed) ++switches_;
  target_.spatial_id = r.id;
  target_.spatial_rank = r.layer;
  target_.temporal = r.temporal;
  target_.reason = reason;
  below_since_us_.reset();
  above_since_us_.reset();
  started_ = true;
}

const LayerTarget& LayerSelector::Update(int64_t now_us, uint64_t estimate_bps,
                                         std::span<const SpatialLayer> layers) {
  target_.changed = false;
  target_.wants_probe_bps = 0;
  const bool preference_changed = std::exchange(preference_changed_, false);
  BuildLadder(layers);
  if (rungs_ == 0) {
    if (target_.spatial_id != 0) {
      gone_id_ = target_.spatial_id;
      target_.spatial_id = 0;
      target_.bitrate_bps = 0;
      target_.reason = LayerSwitchReason::kLayerGone;
      target_.changed = true;
      ++switches_;
    }
    below_since_us_.reset();
    above_since_us_.reset();
    return target_;
  }
  // Without feedback there is nothing to fit to: behave as if the network carried anything.
  const bool has_estimate = estimate_bps != 0;
  const uint64_t estimate = has_estimate ? estimate_bps : std::numeric_limits<uint64_t>::max();
  const uint64_t fitting_estimate = has_estimate ? Scale(estimate, 1.0 / config_.down_ratio) : estimate;

  const std::optional<size_t> current = FindCurrent();
  if (!current) {
    LayerSwitchReason reason = LayerSwitchReason::kPreference;
    if (!started_) {
      reason = LayerSwitchReason::kStart;
    } else if (gone_id_ != 0 && IsLive(layers, gone_id_)) {
      reason = LayerSwitchReason::kLayerBack;
      gone_id_ = 0;
    } else if (!preference_changed && target_.spatial_id != 0 && !IsLive(layers, target_.spatial_id)) {
      reason = LayerSwitchReason::kLayerGone;
      gone_id_ = target_.spatial_id;
    } else if (target_.spatial_id == 0) {
      reason = LayerSwitchReason::kLayerBack;  // every layer had stopped
    }
    SwitchTo(BestFitting(fitting_estimate), reason);
  } else {
    const size_t now_rung = *current;
    const Rung& rung = ladder_[now_rung];
    // The layer left because it stopped is back (the ladder holds live layers only): take
    // it again at once if it fits, else let the estimate decide from now on.
    std::optional<size_t> back;
    bool gone_is_back = false;
    for (size_t i = 0; gone_id_ != 0 && i < rungs_; ++i) {
      if (ladder_[i].id != gone_id_) continue;
      gone_is_back = true;
      if (i > now_rung && ladder_[i].bitrate_bps <= fitting_estimate) back = i;
    }
    if (gone_is_back && !back) gone_id_ = 0;
    // The highest rung above the current one that the estimate carries with headroom.
    std::optional<size_t> up;
    for (size_t i = now_rung + 1; i < rungs_; ++i) {
      if (!has_estimate || Scale(ladder_[i].bitrate_bps, config_.up_ratio) <= estimate) up = i;
    }
    const bool below = has_estimate && estimate < Scale(rung.bitrate_bps, config_.down_ratio);
    if (back) {
      gone_id_ = 0;
      SwitchTo(*back, LayerSwitchReason::kLayerBack);
    } else if (preference_changed && up) {
      SwitchTo(*up, LayerSwitchReason::kPreference);
    } else if (below) {
      if (!below_since_us_) below_since_us_ = now_us;
      const bool large_deficit = estimate < Scale(rung.bitrate_bps, config_.large_deficit_ratio);
      const size_t fit = BestFitting(fitting_estimate);
      if (fit < now_rung && (large_deficit || now_us - *below_since_us_ >= config_.down_hold_us)) {
        gone_id_ = 0;  // the network, not the publisher, decides now
        SwitchTo(fit, LayerSwitchReason::kEstimateDown);
      }
      above_since_us_.reset();
    } else if (up) {
      below_since_us_.reset();
      if (!above_since_us_) above_since_us_ = now_us;
      if (now_us - *above_since_us_ >= config_.up_hold_us) SwitchTo(*up, LayerSwitchReason::kEstimateUp);
    } else {
      below_since_us_.reset();
      above_since_us_.reset();
    }
  }

  const std::optional<size_t> chosen = FindCurrent();
  const size_t at = chosen.value_or(0);
  target_.bitrate_bps = ladder_[at].bitrate_bps;
  if (has_estimate && at + 1 < rungs_) {
    const uint64_t needed = Scale(ladder_[at + 1].bitrate_bps, config_.up_ratio);
    if (needed > estimate) target_.wants_probe_bps = needed;
  }
  return target_;
}

}  // namespace cascade::media
