#pragma once
// Where a joining client is, as a region of the RegionMap, from (first that answers):
//  1. the region hint the application put in the client's token;
//  2. the client's address: the TCP peer, or the address a trusted reverse proxy put in
//     X-Forwarded-For (only when the peer is one of `placement.trusted_proxies`; anyone else
//     could claim any address), mapped by
//     a. the operator's CIDR table (`placement.cidr_table`, "cidr,region" CSV), then
//     b. a MaxMind database (`placement.mmdb`): the nearest region with coordinates;
//  3. else the unknown region.
#include <memory>
#include <string>
#include <string_view>

#include "control/server/RegionMap.hpp"
#include "core/net/SocketAddress.hpp"
#include "topology/CidrTable.hpp"
#include "topology/io/GeoIpResolver.hpp"

namespace cascade::control {

struct LocatorSettings {
  std::string trusted_proxies;  // comma-separated CIDR blocks
  std::string cidr_table;       // CSV file, "" for none
  std::string mmdb;             // MaxMind .mmdb file, "" for none
};

enum class LocationSource : uint8_t { kTokenHint, kCidrTable, kGeoIp, kUnknown, kCount };
const char* ToString(LocationSource source);

struct ClientLocation {
  topology::RegionId region = 0;
  LocationSource source = LocationSource::kUnknown;
  std::string address;  // the address that was looked up
};

class ClientLocator {
 public:
  // `regions` must outlive this. Throws std::runtime_error naming the bad setting or file.
  ClientLocator(const RegionMap& regions, const LocatorSettings& settings);
  ~ClientLocator();

  ClientLocation Locate(std::string_view token_region, const net::SocketAddress& peer,
                        std::string_view forwarded_for) const;
  // The peer, or the rightmost X-Forwarded-For entry that is not a trusted proxy when the
  // peer is one (each proxy appends the address it saw, so entries left of the last
  // untrusted one are the client's own claims).
  std::string ClientAddress(const net::SocketAddress& peer, std::string_view forwarded_for) const;

 private:
  bool IsTrustedProxy(std::string_view address) const;

  const RegionMap& regions_;
  topology::CidrTable trusted_proxies_;  // region unused: membership only
  topology::CidrTable cidr_table_;
  std::unique_ptr<topology::io::GeoIpResolver> geoip_;  // null without placement.mmdb
};

}  // namespace cascade::control
