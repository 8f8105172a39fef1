#pragma once
// Minimal RFC 4180 CSV reading for the data files of the simulator and control (quoted fields, "" escapes).
#include <string>
#include <string_view>
#include <vector>

namespace cascade::topology::io {

using CsvRow = std::vector<std::string>;

std::vector<std::string> SplitCsvLine(std::string_view line);
// Whole file, one row per non-empty line; throws std::runtime_error naming the path if unreadable.
std::vector<CsvRow> ReadCsvFile(const std::string& path);

}  // namespace cascade::topology::io
