#pragma once
// Round-trip times between regions (data centers), measured where known and estimated from
// coordinates where not. Directional: some published matrices are slightly asymmetric.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topology/GeoDistance.hpp"
#include "topology/Types.hpp"

namespace cascade::topology {

class LatencyMatrix {
 public:
  enum class Source : uint8_t { kMissing, kMeasured, kEstimated, kSelf };

  LatencyMatrix() = default;
  explicit LatencyMatrix(std::vector<std::string> region_names);

  size_t Size() const { return names_.size(); }
  const std::string& Name(RegionId r) const { return names_[r]; }
  std::optional<RegionId> Find(std::string_view name) const;

  void SetRttMs(RegionId from, RegionId to, double rtt_ms);
  void SetCoordinates(RegionId r, GeoPoint where);
  const std::optional<GeoPoint>& Coordinates(RegionId r) const { return coords_[r]; }

  // Round trip in ms; NaN while the pair is missing (call FillMissing first).
  double RttMs(RegionId from, RegionId to) const { return rtt_[Index(from, to)]; }
  // One-way delay, the quantity that adds up along a media path.
  double OneWayMs(RegionId from, RegionId to) const { return rtt_[Index(from, to)] / 2; }
  Source SourceOf(RegionId from, RegionId to) const { return source_[Index(from, to)]; }

  // Fills every missing pair: first from the reverse direction if measured, else from the
  // great-circle fibre estimate with a route factor fitted (median) on the measured pairs
  // that have coordinates. Pairs without coordinates either way stay NaN. Returns the count
  // of pairs filled. Also rebuilds the nearest-region orders.
  size_t FillMissing();
  // The route factor FillMissing used (1.5 when fewer than 5 measured pairs had coordinates).
  double RouteFactor() const { return route_factor_; }
  static constexpr double kBaseRttMs = 2.0;

  // Every region sorted by RTT from `from` (itself first); missing pairs sort last.
  const std::vector<RegionId>& NearestOrder(RegionId from) const { return nearest_[from]; }

 private:
  size_t Index(RegionId from, RegionId to) const { return static_cast<size_t>(from) * names_.size() + to; }
  void BuildNearest();

  std::vector<std::string> names_;
  std::vector<std::optional<GeoPoint>> coords_;
  std::vector<double> rtt_;
  std::vector<Source> source_;
  std::vector<std::vector<RegionId>> nearest_;
  double route_factor_ = 1.5;
};

}  // namespace cascade::topology
