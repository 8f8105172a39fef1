#pragma once
// Counts typed parse errors per kind. Each protocol defines `enum class XError { ..., kCount }`
// and `const char* ToString(XError)`; the caller keeps one EnumCounters per error type and
// exposes it as one labelled metric family.
#include <array>
#include <cstdint>
#include <string>

#include "core/base/Metrics.hpp"

namespace cascade::base {

template <typename E>
class EnumCounters {
 public:
  static constexpr size_t kSize = static_cast<size_t>(E::kCount);

  void Inc(E kind) { ++counts_[static_cast<size_t>(kind)]; }
  uint64_t Get(E kind) const { return counts_[static_cast<size_t>(kind)]; }
  uint64_t Total() const {
    uint64_t sum = 0;
    for (auto c : counts_) sum += c;
    return sum;
  }

  // Registers `name{kind="..."}` for every kind; this object must outlive the registry's use.
  void RegisterIn(MetricsRegistry& registry, const std::string& name, const std::string& help,
                  const Labels& extra = {}) const {
    for (size_t i = 0; i < kSize; ++i) {
      Labels labels = extra;
      labels.emplace_back("kind", ToString(static_cast<E>(i)));
      registry.AddCallback(name, help, true, labels, [this, i] { return static_cast<double>(counts_[i]); });
    }
  }

 private:
  std::array<uint64_t, kSize> counts_{};
};

}  // namespace cascade::base
