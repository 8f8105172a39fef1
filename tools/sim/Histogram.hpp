#pragma once
// Fixed-width histogram for latency and ratio distributions: constant memory at a million
// samples, percentiles exact to one bin width.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace cascade::sim {

class Histogram {
 public:
  Histogram(double bin_width, double max_value)
      : width_(bin_width), bins_(static_cast<size_t>(max_value / bin_width) + 2, 0) {}

  void Add(double v, uint64_t count = 1) {
    const double b = std::max(0.0, v / width_);
    bins_[std::min(bins_.size() - 1, static_cast<size_t>(b))] += count;
    total_ += count;
    sum_ += v * static_cast<double>(count);
    max_ = std::max(max_, v);
  }
  uint64_t Count() const { return total_; }
  double Mean() const { return total_ ? sum_ / static_cast<double>(total_) : 0; }
  double Max() const { return max_; }
  // Upper edge of the bin holding the q-quantile (q in 0..1).
  double Quantile(double q) const {
    if (total_ == 0) return 0;
    const auto target = static_cast<uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < bins_.size(); ++i) {
      seen += bins_[i];
      if (seen >= target) return std::min(max_, static_cast<double>(i + 1) * width_);
    }
    return max_;
  }

 private:
  double width_;
  std::vector<uint64_t> bins_;
  uint64_t total_ = 0;
  double sum_ = 0;
  double max_ = 0;
};

}  // namespace cascade::sim
