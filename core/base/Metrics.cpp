#include "core/base/Metrics.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace cascade::base {

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += key;
    out += "=\"";
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

double MetricsRegistry::Series::Value() const {
  if (counter) return static_cast<double>(counter->value());
  if (gauge) return gauge->value();
  return callback ? callback() : 0.0;
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(const std::string& name, const std::string& help,
                                                    bool is_counter) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.help = help;
    it->second.is_counter = is_counter;
  } else if (it->second.is_counter != is_counter) {
    throw std::logic_error("metric " + name + " registered as both counter and gauge");
  }
  return it->second;
}

Counter& MetricsRegistry::AddCounter(const std::string& name, const std::string& help, const Labels& labels) {
  Series& series = FamilyFor(name, help, true).series[RenderLabels(labels)];
  if (!series.counter) series.counter = std::make_unique<Counter>();
  return *series.counter;
}

Gauge& MetricsRegistry::AddGauge(const std::string& name, const std::string& help, const Labels& labels) {
  Series& series = FamilyFor(name, help, false).series[RenderLabels(labels)];
  if (!series.gauge) series.gauge = std::make_unique<Gauge>();
  return *series.gauge;
}

void MetricsRegistry::AddCallback(const std::string& name, const std::string& help, bool is_counter,
                                  const Labels& labels, std::function<double()> read) {
  Series& series = FamilyFor(name, help, is_counter).series[RenderLabels(labels)];
  series.callback = std::move(read);
  series.registration = 0;
}

MetricsRegistration MetricsRegistry::RegisterCallback(const std::string& name, const std::string& help,
                                                      bool is_counter, const Labels& labels,
                                                      std::function<double()> read) {
  std::string rendered = RenderLabels(labels);
  Series& series = FamilyFor(name, help, is_counter).series[rendered];
  series.callback = std::move(read);
  series.registration = next_registration_++;
  return MetricsRegistration(self_, name, std::move(rendered), series.registration);
}

void MetricsRegistry::Unregister(const std::string& name, const std::string& rendered_labels,
                                 uint64_t registration) {
  auto it = families_.find(name);
  if (it == families_.end()) return;
  auto series = it->second.series.find(rendered_labels);
  if (series == it->second.series.end() || series->second.registration != registration) return;
  it->second.series.erase(series);
  if (it->second.series.empty()) families_.erase(it);
}

MetricsRegistration::MetricsRegistration(MetricsRegistration&& other) noexcept
    : registry_(std::move(other.registry_)),
      name_(std::move(other.name_)),
      labels_(std::move(other.labels_)),
      id_(std::exchange(other.id_, 0)) {}

MetricsRegistration& MetricsRegistration::operator=(MetricsRegistration&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = std::move(other.registry_);
    name_ = std::move(other.name_);
    labels_ = std::move(other.labels_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void MetricsRegistration::Reset() {
  if (id_ == 0) return;
  if (auto owner = registry_.lock()) owner->registry->Unregister(name_, labels_, id_);
  id_ = 0;
  registry_.reset();
}

void MetricsRegistry::Remove(const std::string& name, const Labels& labels) {
  auto it = families_.find(name);
  if (it == families_.end()) return;
  it->second.series.erase(RenderLabels(labels));
  if (it->second.series.empty()) families_.erase(it);
}

double MetricsRegistry::Read(const std::string& name, const Labels& labels) const {
  auto it = families_.find(name);
  if (it == families_.end()) return -1;
  auto series = it->second.series.find(RenderLabels(labels));
  return series == it->second.series.end() ? -1 : series->second.Value();
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  out.reserve(families_.size() * 128);
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + ' ' + family.help + '\n';
    out += "# TYPE " + name + (family.is_counter ? " counter\n" : " gauge\n");
    for (const auto& [labels, series] : family.series) {
      out += name;
      out += labels;
      out += ' ';
      double v = series.Value();
      char buf[40];
      std::to_chars_result res{};
      if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
        res = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(v));
      } else {
        res = std::to_chars(buf, buf + sizeof(buf), v);
      }
      out.append(buf, res.ptr);
      out += '\n';
    }
  }
  return out;
}

}  // namespace cascade::base
