#pragma once
// Writes a SimResult as CSV files and SVG plots into a directory, and as a text summary.
#include <ostream>
#include <string>

#include "tools/sim/Simulator.hpp"

namespace cascade::sim {

// summary.csv, latency_cdf.csv, interdc.csv, load.csv, failures.csv, latency_cdf.svg,
// interdc.svg, tree_map.svg. Throws std::runtime_error if a file cannot be written.
void WriteReport(const SimResult& result, const std::string& out_dir);
void PrintSummary(const SimResult& result, std::ostream& out);

}  // namespace cascade::sim
