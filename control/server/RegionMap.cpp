#include "control/server/RegionMap.hpp"

#include <cmath>
#include <vector>

#include "topology/io/LatencyLoader.hpp"

namespace cascade::control {
namespace {

topology::LatencyMatrix WithUnknownRegion(const topology::LatencyMatrix& known) {
  std::vector<std::string> names;
  for (size_t i = 0; i < known.Size(); ++i) names.push_back(known.Name(static_cast<topology::RegionId>(i)));
  names.emplace_back(RegionMap::kUnknownName);
  topology::LatencyMatrix out(names);
  for (size_t i = 0; i < known.Size(); ++i) {
    const auto from = static_cast<topology::RegionId>(i);
    if (known.Coordinates(from)) out.SetCoordinates(from, *known.Coordinates(from));
    for (size_t j = 0; j < known.Size(); ++j) {
      const auto to = static_cast<topology::RegionId>(j);
      if (from != to && !std::isnan(known.RttMs(from, to))) out.SetRttMs(from, to, known.RttMs(from, to));
    }
  }
  // No coordinates for the unknown region: its pairs stay missing and sort last.
  out.FillMissing();
  return out;
}

}  // namespace

RegionMap::RegionMap(const topology::LatencyMatrix& matrix)
    : latency_(WithUnknownRegion(matrix)), unknown_(static_cast<topology::RegionId>(matrix.Size())) {}

RegionMap RegionMap::Load(const std::string& matrix_csv, const std::string& coords_csv) {
  return RegionMap(topology::io::LoadLatencyMatrix(matrix_csv, coords_csv));
}

topology::RegionId RegionMap::Of(std::string_view name) const {
  auto found = latency_.Find(name);
  return found && *found != unknown_ ? *found : unknown_;
}

}  // namespace cascade::control
