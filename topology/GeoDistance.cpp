#include "topology/GeoDistance.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace cascade::topology {

double GreatCircleKm(GeoPoint a, GeoPoint b) {
  constexpr double kEarthRadiusKm = 6371.0;
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (b.latitude_deg - a.latitude_deg) * kRad;
  const double dlon = (b.longitude_deg - a.longitude_deg) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.latitude_deg * kRad) *
                                                                 std::cos(b.latitude_deg * kRad) *
                                                                 std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

double FibreRttMs(double km, double route_factor, double base_ms) {
  constexpr double kFibreKmPerMs = 200.0;
  return base_ms + 2.0 * km * route_factor / kFibreKmPerMs;
}

}  // namespace cascade::topology
