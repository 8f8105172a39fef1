#include "topology/io/GeoIpResolver.hpp"

#include <maxminddb.h>

namespace cascade::topology::io {

std::unique_ptr<GeoIpResolver> GeoIpResolver::Open(const std::string& path, std::string& error) {
  auto db = std::make_unique<MMDB_s>();
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db.get());
  if (status != MMDB_SUCCESS) {
    error = "cannot open GeoIP database " + path + ": " + MMDB_strerror(status);
    return nullptr;
  }
  std::unique_ptr<GeoIpResolver> r(new GeoIpResolver());
  r->db_ = std::move(db);
  return r;
}

GeoIpResolver::~GeoIpResolver() {
  if (db_) MMDB_close(db_.get());
}

std::optional<topology::GeoPoint> GeoIpResolver::Locate(const std::string& address) const {
  int gai_error = 0, mmdb_error = 0;
  MMDB_lookup_result_s found = MMDB_lookup_string(db_.get(), address.c_str(), &gai_error, &mmdb_error);
  if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !found.found_entry) return std::nullopt;
  MMDB_entry_data_s lat{}, lon{};
  if (MMDB_get_value(&found.entry, &lat, "location", "latitude", nullptr) != MMDB_SUCCESS || !lat.has_data ||
      MMDB_get_value(&found.entry, &lon, "location", "longitude", nullptr) != MMDB_SUCCESS || !lon.has_data ||
      lat.type != MMDB_DATA_TYPE_DOUBLE || lon.type != MMDB_DATA_TYPE_DOUBLE) {
    return std::nullopt;
  }
  return topology::GeoPoint{lat.double_value, lon.double_value};
}

}  // namespace cascade::topology::io
