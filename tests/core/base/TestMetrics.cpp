#include <doctest/doctest.h>

#include "core/base/EnumCounters.hpp"
#include "core/base/Metrics.hpp"

using namespace cascade::base;

namespace {
enum class FakeError { kShort, kLong, kCount };
const char* ToString(FakeError e) { return e == FakeError::kShort ? "short" : "long"; }
}  // namespace

TEST_CASE("MetricsRegistry renders Prometheus text with labels") {
  MetricsRegistry registry;
  auto& packets = registry.AddCounter("cascade_packets_total", "Packets seen", {{"dir", "in"}});
  packets.Inc(3);
  registry.AddGauge("cascade_sessions", "Live sessions").Set(2);
  std::string text = registry.RenderPrometheus();
  CHECK(text.find("# TYPE cascade_packets_total counter\n") != std::string::npos);
  CHECK(text.find("cascade_packets_total{dir=\"in\"} 3\n") != std::string::npos);
  CHECK(text.find("cascade_sessions 2\n") != std::string::npos);
  CHECK(registry.Read("cascade_packets_total", {{"dir", "in"}}) == 3);
  registry.Remove("cascade_sessions", {});
  CHECK(registry.Read("cascade_sessions") == -1);
}

TEST_CASE("MetricsRegistry refuses one name as both counter and gauge") {
  MetricsRegistry registry;
  registry.AddCounter("x", "x");
  CHECK_THROWS(registry.AddGauge("x", "x"));
}

TEST_CASE("EnumCounters exposes one series per kind") {
  MetricsRegistry registry;
  EnumCounters<FakeError> errors;
  errors.RegisterIn(registry, "cascade_parse_errors_total", "Parse errors", {{"proto", "fake"}});
  errors.Inc(FakeError::kLong);
  errors.Inc(FakeError::kLong);
  CHECK(errors.Total() == 2);
  CHECK(registry.Read("cascade_parse_errors_total", {{"proto", "fake"}, {"kind", "long"}}) == 2);
  CHECK(registry.Read("cascade_parse_errors_total", {{"proto", "fake"}, {"kind", "short"}}) == 0);
}
