#pragma once
// Great-circle distance and the fibre round-trip estimate used where a latency matrix has no
// measurement for a pair of regions.
namespace cascade::topology {

struct GeoPoint {
  double latitude_deg = 0;
  double longitude_deg = 0;
};

// Haversine distance on a spherical Earth (mean radius 6371 km); error below 0.5%.
double GreatCircleKm(GeoPoint a, GeoPoint b);

// Light in fibre covers about 200 km per ms (refractive index ~1.47). Real routes are longer
// than the great circle by `route_factor`; `base_ms` covers switching and last-metre delay.
double FibreRttMs(double km, double route_factor, double base_ms);

}  // namespace cascade::topology
