#include "topology/CidrTable.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

namespace cascade::topology {
namespace {

CidrTable::Address Mask(const CidrTable::Address& a, int length) {
  CidrTable::Address out{};
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(length - 8 * i, 0, 8);
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(a[static_cast<size_t>(i)] & (0xFF00 >> bits));
  }
  return out;
}

}  // namespace

const char* ToString(CidrError e) {
  switch (e) {
    case CidrError::kBadAddress: return "bad-address";
    case CidrError::kBadPrefixLength: return "bad-prefix-length";
    case CidrError::kHostBitsSet: return "host-bits-set";
    case CidrError::kCount: break;
  }
  return "?";
}

size_t CidrTable::AddressHash::operator()(const Address& a) const {
  uint64_t hi = 0, lo = 0;
  std::memcpy(&hi, a.data(), 8);
  std::memcpy(&lo, a.data() + 8, 8);
  return static_cast<size_t>(hi * 0x9E3779B97F4A7C15ull ^ (lo + 0x632BE59BD9B4E019ull + (hi << 6)));
}

std::optional<CidrTable::Address> CidrTable::ParseAddress(std::string_view text, bool* is_v4) {
  // inet_pton needs a NUL-terminated string; addresses are short so a copy is cheap.
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  Address out{};
  if (s.find(':') == std::string::npos) {
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) != 1) return std::nullopt;
    out[10] = 0xFF;
    out[11] = 0xFF;
    std::memcpy(out.data() + 12, &v4, 4);
    if (is_v4) *is_v4 = true;
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
  std::memcpy(out.data(), &v6, 16);
  if (is_v4) *is_v4 = false;
  return out;
}

std::optional<CidrError> CidrTable::Add(std::string_view cidr, RegionId region) {
  const size_t slash = cidr.find('/');
  bool v4 = false;
  const auto address = ParseAddress(cidr.substr(0, slash), &v4);
  if (!address) return CidrError::kBadAddress;
  const int max_length = v4 ? 32 : 128;
  int length = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view digits = cidr.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || length < 0 ||
        length > max_length) {
      return CidrError::kBadPrefixLength;
    }
  }
  if (v4) length += 96;
  const Address masked = Mask(*address, length);
  if (masked != *address) return CidrError::kHostBitsSet;
  auto it = std::find_if(levels_.begin(), levels_.end(), [&](const Level& l) { return l.length == length; });
  if (it == levels_.end()) {
    it = levels_.insert(std::upper_bound(levels_.begin(), levels_.end(), length,
                                         [](int len, const Level& l) { return len > l.length; }),
                        Level{length, {}});
  }
  if (it->blocks.insert_or_assign(masked, region).second) ++size_;
  return std::nullopt;
}

std::optional<RegionId> CidrTable::Lookup(std::string_view address) const {
  const auto parsed = ParseAddress(address);
  if (!parsed) return std::nullopt;
  return Lookup(*parsed);
}

std::optional<RegionId> CidrTable::Lookup(const Address& address) const {
  for (const Level& level : levels_) {
    const auto it = level.blocks.find(Mask(address, level.length));
    if (it != level.blocks.end()) return it->second;
  }
  return std::nullopt;
}

}  // namespace cascade::topology
