#pragma once
// Moved to topology/io (control reads the same files); the simulator's names stay.
#include "topology/io/CsvReader.hpp"

namespace cascade::sim {
using topology::io::CsvRow;
using topology::io::ReadCsvFile;
using topology::io::SplitCsvLine;
}  // namespace cascade::sim
