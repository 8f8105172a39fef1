#include "control/server/SsrcRanges.hpp"

namespace cascade::control {

const std::string* SsrcRanges::HolderOf(uint32_t start) const {
  auto it = holders_.find(start);
  return it == holders_.end() ? nullptr : &it->second;
}

std::optional<uint32_t> SsrcRanges::AnyFree() {
  if (holders_.size() >= kCount) return std::nullopt;
  const uint32_t first = static_cast<uint32_t>(random_() % kCount);
  for (uint32_t i = 0; i < kCount; ++i) {
    uint32_t start = kBase + ((first + i) % kCount) * kSize;
    if (!holders_.contains(start)) return start;
  }
  return std::nullopt;
}

void SsrcRanges::Assign(uint32_t start, const std::string& node) { holders_[start] = node; }

}  // namespace cascade::control
