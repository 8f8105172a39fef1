#include "media/LayerSelector.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

using namespace cascade::media;

namespace {

constexpr int64_t kTick = 500'000;  // the room's tick

// Chrome's three simulcast layers, each with three temporal layers.
std::vector<SpatialLayer> ThreeLayers() {
  std::vector<SpatialLayer> layers(3);
  const uint64_t rates[] = {150'000, 500'000, 1'500'000};
  const uint16_t heights[] = {180, 360, 720};
  const char* rids[] = {"q", "h", "f"};
  for (size_t i = 0; i < 3; ++i) {
    layers[i].id = 1000 + static_cast<uint32_t>(i);
    layers[i].rid = rids[i];
    layers[i].bitrate_bps = rates[i];
    layers[i].live = true;
    layers[i].height = heights[i];
    layers[i].temporal_layers = 3;
  }
  return layers;
}

// Runs ticks from `from` (inclusive) while `until` (exclusive) at one estimate.
int64_t Run(LayerSelector& selector, int64_t from, int64_t until, uint64_t estimate,
            const std::vector<SpatialLayer>& layers) {
  int64_t t = from;
  for (; t < until; t += kTick) selector.Update(t, estimate, layers);
  return t;
}

}  // namespace

TEST_CASE("LayerSelector starts on the best layer the estimate carries") {
  const auto layers = ThreeLayers();
  {
    LayerSelector selector;
    const LayerTarget& t = selector.Update(0, 0, layers);  // no feedback yet: the best
    CHECK(t.changed);
    CHECK(t.spatial_id == 1002);
    CHECK(t.spatial_rank == 2);
    CHECK(t.temporal == kAllTemporalLayers);
    CHECK(t.reason == LayerSwitchReason::kStart);
    CHECK(std::string(ToString(t.reason)) == "start");
    CHECK(t.wants_probe_bps == 0);
  }
  {
    LayerSelector selector;
    const LayerTarget& t = selector.Update(0, 700'000, layers);
    CHECK(t.spatial_id == 1001);
    CHECK(t.bitrate_bps == 500'000);
    CHECK(t.wants_probe_bps == 1'875'000);  // 1.5 Mbps x 1.25 for the top layer
    CHECK_FALSE(selector.Update(kTick, 700'000, layers).changed);
  }
  for (size_t i = 0; i < static_cast<size_t>(LayerSwitchReason::kCount); ++i)
    CHECK(std::string(ToString(static_cast<LayerSwitchReason>(i))) != "unknown");
}

TEST_CASE("LayerSelector goes down after the estimate stays below for a second") {
  const auto layers = ThreeLayers();
  LayerSelector selector;
  selector.Update(0, 3'000'000, layers);
  REQUIRE(selector.target().spatial_id == 1002);
  // 1.3 Mbps: below the top layer's 1.5 Mbps, but not a large deficit.
  CHECK_FALSE(selector.Update(kTick, 1'300'000, layers).changed);
  CHECK_FALSE(selector.Update(2 * kTick, 1'300'000, layers).changed);
  const LayerTarget& t = selector.Update(3 * kTick, 1'300'000, layers);  // 1 s below
  CHECK(t.changed);
  CHECK(t.spatial_id == 1001);
  CHECK(t.reason == LayerSwitchReason::kEstimateDown);
  CHECK(std::string(ToString(t.reason)) == "estimate_down");
}

TEST_CASE("LayerSelector goes down at once under a large deficit") {
  const auto layers = ThreeLayers();
  LayerSelector selector;
  selector.Update(0, 3'000'000, layers);
  const LayerTarget& t = selector.Update(kTick, 600'000, layers);  // below 1.5 Mbps x 0.5
  CHECK(t.changed);
  CHECK(t.spatial_id == 1001);
  CHECK(t.reason == LayerSwitchReason::kEstimateDown);
}

TEST_CASE("LayerSelector goes up only after the estimate clears the next layer x 1.25 for 2.5 s") {
  const auto layers = ThreeLayers();
  LayerSelector selector;
  selector.Update(0, 700'000, layers);
  REQUIRE(selector.target().spatial_id == 1001);
  // 1.8 Mbps is above the top layer's rate but not above 1.875 Mbps: ask for a probe.
  int64_t t = Run(selector, kTick, 10 * kTick, 1'800'000, layers);
  CHECK(selector.target().spatial_id == 1001);
  CHECK(selector.target().wants_probe_bps == 1'875'000);
  // 2 Mbps: enough; the switch waits 2.5 s, and a dip restarts the wait.
  t = Run(selector, t, t + 4 * kTick, 2'000'000, layers);
  CHECK(selector.target().spatial_id == 1001);
  CHECK(selector.target().wants_probe_bps == 0);
  selector.Update(t, 1'000'000, layers);
  t += kTick;
  t = Run(selector, t, t + 5 * kTick, 2'000'000, layers);
  CHECK(selector.target().spatial_id == 1001);
  const LayerTarget& up = selector.Update(t, 2'000'000, layers);  // 2.5 s above
  CHECK(up.changed);
  CHECK(up.spatial_id == 1002);
  CHECK(up.reason == LayerSwitchReason::kEstimateUp);
}

TEST_CASE("LayerSelector does not flap around a layer's rate") {
  const auto layers = ThreeLayers();
  LayerSelector selector;
  selector.Update(0, 3'000'000, layers);
  // An estimate that swings 1.4 / 1.6 Mbps each tick around the top layer's 1.5 Mbps.
  for (int i = 1; i < 60; ++i) selector.Update(i * kTick, i % 2 ? 1'400'000 : 1'600'000, layers);
  CHECK(selector.target().spatial_id == 1002);
  CHECK(selector.switches() == 1);
  // Once down, the same swing does not bring it back up: 1.6 Mbps < 1.5 x 1.25.
  selector.Update(60 * kTick, 700'000, layers);
  REQUIRE(selector.target().spatial_id == 1001);
  for (int i = 61; i < 120; ++i) selector.Update(i * kTick, i % 2 ? 1'400'000 : 1'600'000, layers);
  CHECK(selector.target().spatial_id == 1001);
  CHECK(selector.switches() == 2);
}

TEST_CASE("LayerSelector keeps the lowest layer at a reduced frame rate when nothing fits") {
  const auto layers = ThreeLayers();
  LayerSelector selector;
  selector.Update(0, 3'000'000, layers);
  // 80 kbps: the low layer (150 kbps) does not fit; TL0 is 40 % of it, TL0+1 60 %.
  const LayerTarget& t = selector.Update(kTick, 80'000, layers);
  CHECK(t.changed);
  CHECK(t.spatial_id == 1000);
  CHECK(t.temporal == 0);
  CHECK(t.bitrate_bps == 60'000);
  CHECK(t.wants_probe_bps == 112'500);  // TL0+1 (90 kbps) x 1.25
  // Even 10 kbps keeps TL0 of the lowest layer: never nothing.
  Run(selector, 2 * kTick, 6 * kTick, 10'000, layers);
  CHECK(selector.target().spatial_id == 1000);
  CHECK(selector.target().temporal == 0);
  // Recovery climbs with the same hysteresis: TL0+1 first...
  int64_t now = Run(selector, 6 * kTick, 12 * kTick, 120'000, layers);
  CHECK(selector.target().spatial_id == 1000);
  CHECK(selector.target().temporal == 1);
  CHECK(selector.target().reason == LayerSwitchReason::kEstimateUp);
  // ...then straight to the highest rung the estimate clears (the full low layer here).
  Run(selector, now, now + 8 * kTick, 400'000, layers);
  CHECK(selector.target().spatial_id == 1000);
  CHECK(selector.target().temporal == kAllTemporalLayers);
}

TEST_CASE("LayerSelector prefers measured temporal rates over the default split") {
  auto layers = ThreeLayers();
  layers[0].temporal_bitrate_bps = {30'000, 100'000, 0, 0};
  LayerSelector selector;
  selector.Update(0, 3'000'000, layers);
  const LayerTarget& t = selector.Update(kTick, 50'000, layers);
  CHECK(t.temporal == 0);
  CHECK(t.bitrate_bps == 30'000);
}

TEST_CASE("LayerSelector follows the viewer's preference at once in both directions") {
  const auto layers = ThreeLayers();
  LayerSelector selector;
  selector.Update(0, 5'000'000, layers);
  REQUIRE(selector.target().spatial_id == 1002);
  selector.SetPreference(*LayerPreference::Parse("low"));
  const LayerTarget& low = selector.Update(kTick, 5'000'000, layers);
  CHECK(low.changed);
  CHECK(low.spatial_id == 1000);
  CHECK(low.temporal == kAllTemporalLayers);
  CHECK(low.reason == LayerSwitchReason::kPreference);
  CHECK(low.wants_probe_bps == 0);  // nothing above is wanted
  selector.SetPreference(*LayerPreference::Parse("high"));
  const LayerTarget& high = selector.Update(2 * kTick, 5'000'000, layers);
  CHECK(high.spatial_id == 1002);
  CHECK(high.reason == LayerSwitchReason::kPreference);
  // A height cap picks by resolution.
  selector.SetPreference(*LayerPreference::Parse("360p"));
  CHECK(selector.Update(3 * kTick, 5'000'000, layers).spatial_id == 1001);
  // A raised preference the estimate does not carry waits for the estimate (and a probe).
  selector.SetPreference(*LayerPreference::Parse("auto"));
  const LayerTarget& capped = selector.Update(4 * kTick, 1'000'000, layers);
  CHECK(capped.spatial_id == 1001);
  CHECK(capped.wants_probe_bps == 1'875'000);
  // A cap on temporal layers: a thumbnail at a third of the frame rate.
  LayerPreference thumbnail;
  thumbnail.max_spatial = 0;
  thumbnail.max_temporal = 0;
  selector.SetPreference(thumbnail);
  const LayerTarget& thumb = selector.Update(5 * kTick, 1'000'000, layers);
  CHECK(thumb.spatial_id == 1000);
  CHECK(thumb.temporal == 0);
}

TEST_CASE("LayerPreference parses the names a viewer sends") {
  CHECK(LayerPreference::Parse("low")->max_spatial == 0);
  CHECK(LayerPreference::Parse("medium")->max_spatial == 1);
  CHECK(LayerPreference::Parse("high")->max_spatial == 0xff);
  CHECK(LayerPreference::Parse("auto") == LayerPreference{});
  CHECK(LayerPreference::Parse("720p")->max_height == 720);
  CHECK(LayerPreference::Parse("low\r\n")->max_spatial == 0);  // typed by hand
  CHECK(LayerPreference::Parse("360p \n")->max_height == 360);
  for (const char* bad : {"p", "0p", "-1p", "99999p", "360", "huge", "360px", " low", "lo w"}) {
    CAPTURE(bad);
    CHECK_FALSE(LayerPreference::Parse(bad));
  }
}

TEST_CASE("LayerSelector leaves a layer that stopped and takes it back when it returns") {
  auto layers = ThreeLayers();
  LayerSelector selector;
  selector.Update(0, 5'000'000, layers);
  layers[2].live = false;  // the publisher's encoder paused the top layer
  const LayerTarget& gone = selector.Update(kTick, 5'000'000, layers);
  CHECK(gone.changed);
  CHECK(gone.spatial_id == 1001);
  CHECK(gone.reason == LayerSwitchReason::kLayerGone);
  CHECK(std::string(ToString(gone.reason)) == "layer_gone");
  layers[2].live = true;
  const LayerTarget& back = selector.Update(2 * kTick, 5'000'000, layers);  // no up hold
  CHECK(back.changed);
  CHECK(back.spatial_id == 1002);
  CHECK(back.reason == LayerSwitchReason::kLayerBack);

  // Every layer stops: nothing to forward; then the low one returns.
  for (auto& layer : layers) layer.live = false;
  const LayerTarget& none = selector.Update(3 * kTick, 5'000'000, layers);
  CHECK(none.changed);
  CHECK(none.spatial_id == 0);
  CHECK(none.reason == LayerSwitchReason::kLayerGone);
  layers[0].live = true;
  const LayerTarget& low = selector.Update(4 * kTick, 5'000'000, layers);
  CHECK(low.spatial_id == 1000);
  CHECK(low.reason == LayerSwitchReason::kLayerBack);
}

TEST_CASE("LayerSelector: a returning layer the estimate does not carry waits like any up-switch") {
  auto layers = ThreeLayers();
  LayerSelector selector;
  selector.Update(0, 5'000'000, layers);
  layers[2].live = false;
  selector.Update(kTick, 5'000'000, layers);
  REQUIRE(selector.target().spatial_id == 1001);
  layers[2].live = true;
  selector.Update(2 * kTick, 1'000'000, layers);  // back, but 1 Mbps does not carry it
  CHECK(selector.target().spatial_id == 1001);
  int64_t t = Run(selector, 3 * kTick, 8 * kTick, 2'000'000, layers);
  CHECK(selector.target().spatial_id == 1001);  // 2.5 s not yet over
  selector.Update(t, 2'000'000, layers);
  CHECK(selector.target().spatial_id == 1002);
  CHECK(selector.target().reason == LayerSwitchReason::kEstimateUp);
}

TEST_CASE("SortLayersLowToHigh orders by height, by bitrate where a height is unknown") {
  std::array<SpatialLayer, kMaxSpatialLayers> layers{};
  layers[0] = {1, "f", 1'500'000, true, 720, 3, {}};
  layers[1] = {2, "q", 150'000, true, 180, 3, {}};
  layers[2] = {3, "h", 500'000, true, 0, 3, {}};  // no keyframe seen yet
  SortLayersLowToHigh(std::span<SpatialLayer>(layers.data(), 3));
  CHECK(layers[0].id == 2);
  CHECK(layers[1].id == 3);
  CHECK(layers[2].id == 1);
  CHECK(layers[3].id == 0);  // beyond the span: untouched
}
