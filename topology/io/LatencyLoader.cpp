#include "topology/io/LatencyLoader.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>

#include "topology/io/CsvReader.hpp"

namespace cascade::topology::io {
namespace {

bool ParseDouble(const std::string& s, double& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::runtime_error Bad(const std::string& path, size_t line, const std::string& what) {
  return std::runtime_error(path + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

topology::LatencyMatrix LoadLatencyMatrix(const std::string& matrix_csv, const std::string& coords_csv) {
  const std::vector<CsvRow> rows = ReadCsvFile(matrix_csv);
  if (rows.size() < 2 || rows[0].size() < 2)
    throw Bad(matrix_csv, 1, "expected a header and at least one row");
  std::vector<std::string> names(rows[0].begin() + 1, rows[0].end());
  topology::LatencyMatrix m(names);
  for (size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& row = rows[i];
    const auto from = m.Find(row[0]);
    if (!from) throw Bad(matrix_csv, i + 1, "row region '" + row[0] + "' is not in the header");
    if (row.size() > names.size() + 1) throw Bad(matrix_csv, i + 1, "more columns than the header");
    for (size_t j = 1; j < row.size(); ++j) {
      double v = 0;
      if (row[j].empty()) continue;
      if (!ParseDouble(row[j], v) || v < 0) throw Bad(matrix_csv, i + 1, "bad RTT '" + row[j] + "'");
      const auto to = static_cast<topology::RegionId>(j - 1);
      if (*from != to) m.SetRttMs(*from, to, v);
    }
  }
  if (!coords_csv.empty()) {
    const std::vector<CsvRow> c = ReadCsvFile(coords_csv);
    if (c.empty()) throw Bad(coords_csv, 1, "empty file");
    const CsvRow& header = c[0];
    size_t lat = header.size(), lon = header.size(), name_col = header.size(), best_hits = 0;
    for (size_t k = 0; k < header.size(); ++k) {
      if (header[k] == "latitude") lat = k;
      if (header[k] == "longitude") lon = k;
    }
    if (lat == header.size() || lon == header.size())
      throw Bad(coords_csv, 1, "no latitude/longitude columns");
    for (size_t k = 0; k < header.size(); ++k) {
      size_t hits = 0;
      for (size_t i = 1; i < c.size(); ++i) hits += (k < c[i].size() && m.Find(c[i][k])) ? 1 : 0;
      if (hits > best_hits) {
        best_hits = hits;
        name_col = k;
      }
    }
    if (name_col == header.size()) throw Bad(coords_csv, 1, "no column names the matrix's regions");
    for (size_t i = 1; i < c.size(); ++i) {
      const CsvRow& row = c[i];
      if (row.size() <= std::max({lat, lon, name_col})) continue;
      const auto r = m.Find(row[name_col]);
      double la = 0, lo = 0;
      if (!r || m.Coordinates(*r)) continue;  // first row wins for duplicate names
      if (!ParseDouble(row[lat], la) || !ParseDouble(row[lon], lo))
        throw Bad(coords_csv, i + 1, "bad coordinate");
      m.SetCoordinates(*r, topology::GeoPoint{la, lo});
    }
  }
  m.FillMissing();
  return m;
}

std::vector<double> LoadRegionWeights(const std::string& weights_csv,
                                      const topology::LatencyMatrix& latency) {
  if (weights_csv.empty()) return std::vector<double>(latency.Size(), 1.0);
  std::vector<double> w(latency.Size(), 0.0);
  const std::vector<CsvRow> rows = ReadCsvFile(weights_csv);
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].size() < 2) throw Bad(weights_csv, i + 1, "expected region,weight");
    const auto r = latency.Find(rows[i][0]);
    double v = 0;
    if (!r) throw Bad(weights_csv, i + 1, "unknown region '" + rows[i][0] + "'");
    if (!ParseDouble(rows[i][1], v) || v < 0) throw Bad(weights_csv, i + 1, "bad weight");
    w[*r] = v;
  }
  return w;
}

DatasetFiles DatasetPaths(const std::string& data_dir, const std::string& dataset) {
  const std::string dir = data_dir + "/latency/";
  if (dataset == "gcp") {
    return {dir + "gcp_2020_matrix_avg_ms.csv", dir + "gcp_2020_regions.csv",
            dir + "gcp_2020_region_weights.csv"};
  }
  if (dataset == "azure") return {dir + "azure_rtt_matrix_ms.csv", dir + "azure_regions_coords.csv", ""};
  throw std::runtime_error("unknown data set '" + dataset + "' (gcp or azure)");
}

}  // namespace cascade::topology::io
