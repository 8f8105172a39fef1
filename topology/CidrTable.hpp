#pragma once
// Client address -> region by longest-prefix match over operator-supplied CIDR blocks, the
// pure half of "closest region" (the MaxMind reader is in topology/io because it reads files).
// IPv4 is stored as IPv4-mapped IPv6 (RFC 4291 section 2.5.5.2) so one table serves both.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "topology/Types.hpp"

namespace cascade::topology {

enum class CidrError : uint8_t { kBadAddress, kBadPrefixLength, kHostBitsSet, kCount };
const char* ToString(CidrError e);

class CidrTable {
 public:
  using Address = std::array<uint8_t, 16>;

  // Adds "a.b.c.d/len" or "x:y::/len" (a bare address means a host route). A block already
  // present is re-pointed to the new region. Returns the error kind, or nullopt on success.
  std::optional<CidrError> Add(std::string_view cidr, RegionId region);
  std::optional<RegionId> Lookup(std::string_view address) const;
  std::optional<RegionId> Lookup(const Address& address) const;
  size_t Size() const { return size_; }

  static std::optional<Address> ParseAddress(std::string_view text, bool* is_v4 = nullptr);

 private:
  struct AddressHash {
    size_t operator()(const Address& a) const;
  };
  struct Level {
    int length;
    std::unordered_map<Address, RegionId, AddressHash> blocks;
  };
  std::vector<Level> levels_;  // longest prefix first
  size_t size_ = 0;
};

}  // namespace cascade::topology
