#pragma once
// Moved to topology/io (control loads the same matrices); the simulator's names stay.
#include "topology/io/LatencyLoader.hpp"

namespace cascade::sim {
using topology::io::DatasetFiles;
using topology::io::DatasetPaths;
using topology::io::LoadLatencyMatrix;
using topology::io::LoadRegionWeights;
}  // namespace cascade::sim
