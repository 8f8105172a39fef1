#include "topology/LatencyMatrix.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cascade::topology {

LatencyMatrix::LatencyMatrix(std::vector<std::string> region_names)
    : names_(std::move(region_names)),
      coords_(names_.size()),
      rtt_(names_.size() * names_.size(), std::numeric_limits<double>::quiet_NaN()),
      source_(names_.size() * names_.size(), Source::kMissing) {
  for (size_t i = 0; i < names_.size(); ++i) {
    const auto r = static_cast<RegionId>(i);
    // Within one data center: a switch or two, no measurement needed.
    rtt_[Index(r, r)] = 0.5;
    source_[Index(r, r)] = Source::kSelf;
  }
  BuildNearest();
}

std::optional<RegionId> LatencyMatrix::Find(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<RegionId>(i);
  }
  return std::nullopt;
}

void LatencyMatrix::SetRttMs(RegionId from, RegionId to, double rtt_ms) {
  rtt_[Index(from, to)] = rtt_ms;
  source_[Index(from, to)] = from == to ? Source::kSelf : Source::kMeasured;
}

void LatencyMatrix::SetCoordinates(RegionId r, GeoPoint where) { coords_[r] = where; }

size_t LatencyMatrix::FillMissing() {
  const auto n = static_cast<RegionId>(names_.size());
  // Fit the route factor on measured pairs; medians resist the odd detour.
  std::vector<double> factors;
  for (RegionId a = 0; a < n; ++a) {
    for (RegionId b = 0; b < n; ++b) {
      if (a == b || source_[Index(a, b)] != Source::kMeasured || !coords_[a] || !coords_[b]) continue;
      const double km = GreatCircleKm(*coords_[a], *coords_[b]);
      if (km < 500) continue;  // short hops are dominated by the base delay, not distance
      factors.push_back((rtt_[Index(a, b)] - kBaseRttMs) / FibreRttMs(km, 1.0, 0.0));
    }
  }
  if (factors.size() >= 5) {
    std::nth_element(factors.begin(), factors.begin() + static_cast<std::ptrdiff_t>(factors.size() / 2),
                     factors.end());
    route_factor_ = std::max(1.0, factors[factors.size() / 2]);
  }
  size_t filled = 0;
  for (RegionId a = 0; a < n; ++a) {
    for (RegionId b = 0; b < n; ++b) {
      const size_t i = Index(a, b);
      if (source_[i] != Source::kMissing) continue;
      if (source_[Index(b, a)] == Source::kMeasured) {
        rtt_[i] = rtt_[Index(b, a)];
      } else if (coords_[a] && coords_[b]) {
        rtt_[i] = FibreRttMs(GreatCircleKm(*coords_[a], *coords_[b]), route_factor_, kBaseRttMs);
      } else {
        continue;
      }
      source_[i] = Source::kEstimated;
      ++filled;
    }
  }
  BuildNearest();
  return filled;
}

void LatencyMatrix::BuildNearest() {
  const size_t n = names_.size();
  nearest_.assign(n, {});
  for (size_t a = 0; a < n; ++a) {
    auto& order = nearest_[a];
    order.resize(n);
    for (size_t b = 0; b < n; ++b) order[b] = static_cast<RegionId>(b);
    const auto from = static_cast<RegionId>(a);
    std::stable_sort(order.begin(), order.end(), [&](RegionId x, RegionId y) {
      const double dx = RttMs(from, x), dy = RttMs(from, y);
      if (std::isnan(dx)) return false;
      if (std::isnan(dy)) return true;
      return dx < dy;
    });
  }
}

}  // namespace cascade::topology
