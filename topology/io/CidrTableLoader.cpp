#include "topology/io/CidrTableLoader.hpp"

#include <stdexcept>

#include "topology/io/CsvReader.hpp"

namespace cascade::topology::io {

CidrTable LoadCidrTable(const std::string& path, const LatencyMatrix& regions) {
  CidrTable table;
  const auto rows = ReadCsvFile(path);
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string where = path + ":" + std::to_string(i + 1) + ": ";
    if (rows[i].size() >= 1 && rows[i][0] == "cidr") continue;
    if (rows[i].size() < 2) throw std::runtime_error(where + "expected cidr,region");
    const auto region = regions.Find(rows[i][1]);
    if (!region) throw std::runtime_error(where + "unknown region " + rows[i][1]);
    if (const auto error = table.Add(rows[i][0], *region)) throw std::runtime_error(where + ToString(*error));
  }
  return table;
}

}  // namespace cascade::topology::io
