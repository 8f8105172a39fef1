#pragma once
// Reads latency matrices and region coordinates/weights from CSV into topology types. The
// only file I/O around the topology code; everything after loading is pure.
#include <string>
#include <vector>

#include "topology/LatencyMatrix.hpp"

namespace cascade::topology::io {

// Matrix CSV: header "src\dst,<region>,...", then "<region>,<rtt ms>,..." (blank = no
// measurement). Coordinates CSV (optional, "" to skip): a header with latitude and longitude
// columns and a name column; the column whose values match the most matrix regions is used
// (so both GCP ids and Azure display names work). Missing pairs are then estimated.
// Throws std::runtime_error with the file name and line on malformed input.
topology::LatencyMatrix LoadLatencyMatrix(const std::string& matrix_csv, const std::string& coords_csv);

// "region,weight" rows; regions absent from the file weigh 0 unless the file is "" (all 1).
std::vector<double> LoadRegionWeights(const std::string& weights_csv, const topology::LatencyMatrix& latency);

// Files of a named data set under `data_dir` (e.g. the repo's data/): "gcp" or "azure".
struct DatasetFiles {
  std::string matrix;
  std::string coords;
  std::string weights;
};
DatasetFiles DatasetPaths(const std::string& data_dir, const std::string& dataset);

}  // namespace cascade::topology::io
