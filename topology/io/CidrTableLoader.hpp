#pragma once
// Reads an operator's "cidr,region" CSV (an optional header row "cidr,region") into a
// topology::CidrTable whose regions are those of `regions`.
#include <string>

#include "topology/CidrTable.hpp"
#include "topology/LatencyMatrix.hpp"

namespace cascade::topology::io {

// Throws std::runtime_error naming the file and line: unreadable file, a row without two
// fields, a region not in `regions`, or a bad block.
CidrTable LoadCidrTable(const std::string& path, const LatencyMatrix& regions);

}  // namespace cascade::topology::io
