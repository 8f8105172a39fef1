#pragma once
// Region names as placement sees them: the regions of the latency matrix (`control.latency_matrix`),
// plus one "unknown" region that stands for every other name (e.g. `local`) and ranks after
// every known region from anywhere (its RTTs are missing), so meshes whose nodes say
// `region=local` keep working.
#include <optional>
#include <string>
#include <string_view>

#include "topology/LatencyMatrix.hpp"

namespace cascade::control {

class RegionMap {
 public:
  static constexpr const char* kUnknownName = "unknown";

  // `matrix` as loaded (missing pairs already estimated); the unknown region is appended.
  explicit RegionMap(const topology::LatencyMatrix& matrix);
  // Loads a matrix CSV and an optional coordinates CSV (""); throws std::runtime_error.
  static RegionMap Load(const std::string& matrix_csv, const std::string& coords_csv);

  // The region of `name`, the unknown region for any name the matrix does not have.
  topology::RegionId Of(std::string_view name) const;
  topology::RegionId unknown() const { return unknown_; }
  const std::string& Name(topology::RegionId region) const { return latency_.Name(region); }
  const topology::LatencyMatrix& latency() const { return latency_; }

 private:
  topology::LatencyMatrix latency_;
  topology::RegionId unknown_;
};

}  // namespace cascade::control
