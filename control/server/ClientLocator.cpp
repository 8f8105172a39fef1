#include "control/server/ClientLocator.hpp"

#include <stdexcept>
#include <vector>

#include "topology/RegionSelector.hpp"
#include "topology/io/CidrTableLoader.hpp"

namespace cascade::control {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    auto comma = text.find(',');
    std::string_view part = Trim(text.substr(0, comma));
    if (!part.empty()) parts.push_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

}  // namespace

const char* ToString(LocationSource source) {
  switch (source) {
    case LocationSource::kTokenHint: return "token";
    case LocationSource::kCidrTable: return "cidr";
    case LocationSource::kGeoIp: return "mmdb";
    case LocationSource::kUnknown: return "unknown";
    case LocationSource::kCount: break;
  }
  return "?";
}

ClientLocator::ClientLocator(const RegionMap& regions, const LocatorSettings& settings) : regions_(regions) {
  for (std::string_view block : SplitCommas(settings.trusted_proxies)) {
    if (auto error = trusted_proxies_.Add(block, 0)) {
      throw std::runtime_error("config key 'placement.trusted_proxies': bad block \"" + std::string(block) +
                               "\": " + topology::ToString(*error));
    }
  }
  if (!settings.cidr_table.empty())
    cidr_table_ = topology::io::LoadCidrTable(settings.cidr_table, regions.latency());
  if (!settings.mmdb.empty()) {
    std::string error;
    geoip_ = topology::io::GeoIpResolver::Open(settings.mmdb, error);
    if (!geoip_) throw std::runtime_error("config key 'placement.mmdb': " + error);
  }
}

ClientLocator::~ClientLocator() = default;

bool ClientLocator::IsTrustedProxy(std::string_view address) const {
  return trusted_proxies_.Size() > 0 && trusted_proxies_.Lookup(address).has_value();
}

std::string ClientLocator::ClientAddress(const net::SocketAddress& peer,
                                         std::string_view forwarded_for) const {
  std::string address = peer.ip();
  if (forwarded_for.empty() || !IsTrustedProxy(address)) return address;
  auto hops = SplitCommas(forwarded_for);
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    // An entry that is not an address ends what we can believe: keep the last good one.
    if (!topology::CidrTable::ParseAddress(*hop)) break;
    address = std::string(*hop);
    if (!IsTrustedProxy(address)) break;
  }
  return address;
}

ClientLocation ClientLocator::Locate(std::string_view token_region, const net::SocketAddress& peer,
                                     std::string_view forwarded_for) const {
  ClientLocation location;
  location.address = ClientAddress(peer, forwarded_for);
  if (!token_region.empty()) {
    location.region = regions_.Of(token_region);
    location.source = LocationSource::kTokenHint;
    return location;
  }
  if (auto region = cidr_table_.Lookup(location.address)) {
    location.region = *region;
    location.source = LocationSource::kCidrTable;
    return location;
  }
  if (geoip_) {
    if (auto where = geoip_->Locate(location.address)) {
      topology::RegionId nearest = topology::NearestRegionTo(regions_.latency(), *where);
      if (nearest != topology::kNoRegion) {
        location.region = nearest;
        location.source = LocationSource::kGeoIp;
        return location;
      }
    }
  }
  location.region = regions_.unknown();
  location.source = LocationSource::kUnknown;
  return location;
}

}  // namespace cascade::control
