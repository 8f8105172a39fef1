#pragma once
// Timing of the pure topology code on real regions: tree builds at 100, 1,000 and 10,000
// nodes, incremental attach/detach, repair, and placements per second.
#include <ostream>

#include "topology/LatencyMatrix.hpp"

namespace cascade::sim {

void RunTreeBench(const topology::LatencyMatrix& latency, std::ostream& out);

}  // namespace cascade::sim
