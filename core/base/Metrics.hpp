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

class MetricsRegistry;

// Undoes one MetricsRegistry::RegisterCallback when destroyed or reset: it removes exactly
// the series it registered, and only while that series is still its own (a later
// registration of the same name and labels replaced it, so that one's handle owns it now).
// Safe to outlive the registry. Move-only.
class MetricsRegistration {
 public:
  MetricsRegistration() = default;
  MetricsRegistration(MetricsRegistration&& other) noexcept;
  MetricsRegistration& operator=(MetricsRegistration&& other) noexcept;
  MetricsRegistration(const MetricsRegistration&) = delete;
  MetricsRegistration& operator=(const MetricsRegistration&) = delete;
  ~MetricsRegistration() { Reset(); }

  void Reset();
  bool active() const { return id_ != 0 && !registry_.expired(); }

 private:
  friend class MetricsRegistry;
  struct Owner {
    MetricsRegistry* registry;
  };
  MetricsRegistration(std::weak_ptr<Owner> registry, std::string name, std::string labels, uint64_t id)
      : registry_(std::move(registry)), name_(std::move(name)), labels_(std::move(labels)), id_(id) {}

  std::weak_ptr<Owner> registry_;
  std::string name_;
  std::string labels_;  // rendered
  uint64_t id_ = 0;
};

// Several registrations that end together (everything one link or viewer exported).
class MetricsRegistrations {
 public:
  void Add(MetricsRegistration registration) { registrations_.push_back(std::move(registration)); }
  void Reset() { registrations_.clear(); }
  size_t size() const { return registrations_.size(); }

 private:
  std::vector<MetricsRegistration> registrations_;
};

class MetricsRegistry {
 public:
  MetricsRegistry() : self_(std::make_shared<MetricsRegistration::Owner>(MetricsRegistration::Owner{this})) {}
  // Registrations point back at the registry, so it stays where it was made.
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The returned reference stays valid until the series is removed or the registry dies.
  Counter& AddCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& AddGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  // Computed at scrape time, for values owned elsewhere (session counts, RSS).
  void AddCallback(const std::string& name, const std::string& help, bool is_counter, const Labels& labels,
                   std::function<double()> read);
  // The same, undone when the returned handle goes away (what an object that dies before
  // the registry must use, so no scrape reads it after it is gone).
  [[nodiscard]] MetricsRegistration RegisterCallback(const std::string& name, const std::string& help,
                                                     bool is_counter, const Labels& labels,
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
    uint64_t registration = 0;  // the RegisterCallback that owns it; 0: none
    double Value() const;
  };
  struct Family {
    std::string help;
    bool is_counter = false;
    std::map<std::string, Series> series;  // by rendered label set
  };
  friend class MetricsRegistration;
  Family& FamilyFor(const std::string& name, const std::string& help, bool is_counter);
  void Unregister(const std::string& name, const std::string& rendered_labels, uint64_t registration);

  std::map<std::string, Family> families_;
  uint64_t next_registration_ = 1;
  std::shared_ptr<MetricsRegistration::Owner> self_;
};

std::string RenderLabels(const Labels& labels);

}  // namespace cascade::base
