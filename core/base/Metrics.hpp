#pragma once
// Process-wide metrics rendered as Prometheus text on /metrics. A registry belongs to one
// loop thread, so counters are plain integers: incrementing one on the packet path costs
// an add, not a lock or an atomic.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cascade::base {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_ += n; }
  uint64_t value() const { return value_; }

 private:
  uint64_t value_ = 0;
};

class Gauge {
 public:
  void Set(double v) { value_ = v; }
  void Add(double v) { value_ += v; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class MetricsRegistry {
 public:
  // The returned reference stays valid until the series is removed or the registry dies.
  Counter& AddCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& AddGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  // Computed at scrape time, for values owned elsewhere (session counts, RSS).
  void AddCallback(const std::string& name, const std::string& help, bool is_counter, const Labels& labels,
                   std::function<double()> read);
  void Remove(const std::string& name, const Labels& labels);

  std::string RenderPrometheus() const;
  // Looks a series up by name and labels; for tests and the CLI. Returns -1 when absent.
  double Read(const std::string& name, const Labels& labels = {}) const;

 private:
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::function<double()> callback;
    double Value() const;
  };
  struct Family {
    std::string help;
    bool is_counter = false;
    std::map<std::string, Series> series;  // by rendered label set
  };
  Family& FamilyFor(const std::string& name, const std::string& help, bool is_counter);

  std::map<std::string, Family> families_;
};

std::string RenderLabels(const Labels& labels);

}  // namespace cascade::base
