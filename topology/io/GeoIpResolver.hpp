#pragma once
// Client address -> location through a MaxMind GeoIP2/GeoLite2 City (or Country) database,
// read with libmaxminddb. File I/O, hence in topology/io and not in pure topology/; the
// location then goes to topology::NearestRegionTo. No database ships with Cascade: the operator provides one.
#include <memory>
#include <optional>
#include <string>

#include "topology/GeoDistance.hpp"

struct MMDB_s;

namespace cascade::topology::io {

class GeoIpResolver {
 public:
  // nullptr and a message naming the file and libmaxminddb's reason when it cannot be opened.
  static std::unique_ptr<GeoIpResolver> Open(const std::string& path, std::string& error);
  ~GeoIpResolver();
  GeoIpResolver(const GeoIpResolver&) = delete;
  GeoIpResolver& operator=(const GeoIpResolver&) = delete;

  // location.latitude/longitude of the address's record, if the database has one.
  std::optional<topology::GeoPoint> Locate(const std::string& address) const;

 private:
  GeoIpResolver() = default;
  std::unique_ptr<MMDB_s> db_;  // owned; closed by the destructor
};

}  // namespace cascade::topology::io
