#include <doctest/doctest.h>

#include "core/base/EnumCounters.hpp"
#include "core/base/Metrics.hpp"

#include <memory>
#include <string>

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

TEST_CASE("MetricsRegistration removes its series: no scrape lists or calls it afterwards") {
  MetricsRegistry registry;
  int calls = 0;
  auto handle = std::make_unique<MetricsRegistration>(registry.RegisterCallback(
      "cascade_link_rtt_ms", "rtt", false, {{"link", "a"}}, [&calls] { return ++calls, 7.0; }));
  CHECK(handle->active());
  CHECK(registry.RenderPrometheus().find("cascade_link_rtt_ms{link=\"a\"} 7\n") != std::string::npos);
  CHECK(calls == 1);
  handle.reset();
  const std::string text = registry.RenderPrometheus();
  CHECK(text.find("cascade_link_rtt_ms") == std::string::npos);
  CHECK(registry.Read("cascade_link_rtt_ms", {{"link", "a"}}) == -1);
  CHECK(calls == 1);
}

TEST_CASE("MetricsRegistration: same name, different labels are independent") {
  MetricsRegistry registry;
  MetricsRegistration a =
      registry.RegisterCallback("cascade_x", "x", true, {{"link", "a"}}, [] { return 1.0; });
  MetricsRegistration b =
      registry.RegisterCallback("cascade_x", "x", true, {{"link", "b"}}, [] { return 2.0; });
  a.Reset();
  CHECK_FALSE(a.active());
  CHECK(registry.Read("cascade_x", {{"link", "a"}}) == -1);
  CHECK(registry.Read("cascade_x", {{"link", "b"}}) == 2);
  a.Reset();  // twice is harmless
  CHECK(registry.Read("cascade_x", {{"link", "b"}}) == 2);
  MetricsRegistration moved = std::move(b);
  CHECK_FALSE(b.active());
  CHECK(moved.active());
  CHECK(registry.Read("cascade_x", {{"link", "b"}}) == 2);
  moved = MetricsRegistration();  // assigning over a live handle unregisters it
  CHECK(registry.RenderPrometheus().find("cascade_x") == std::string::npos);
}

TEST_CASE("MetricsRegistration leaves a series it no longer owns, and may outlive the registry") {
  auto registry = std::make_unique<MetricsRegistry>();
  MetricsRegistration old = registry->RegisterCallback("cascade_y", "y", false, {}, [] { return 1.0; });
  // A new object registered the same series: the old handle must not take it away.
  MetricsRegistration current = registry->RegisterCallback("cascade_y", "y", false, {}, [] { return 2.0; });
  old.Reset();
  CHECK(registry->Read("cascade_y") == 2);
  registry->AddCallback("cascade_z", "z", false, {}, [] { return 3.0; });
  MetricsRegistration z = registry->RegisterCallback("cascade_z", "z", false, {}, [] { return 4.0; });
  registry->AddCallback("cascade_z", "z", false, {}, [] { return 5.0; });  // unmanaged again
  z.Reset();
  CHECK(registry->Read("cascade_z") == 5);
  registry.reset();
  CHECK_FALSE(current.active());
  current.Reset();  // the registry is gone: nothing to touch, no crash
}

TEST_CASE("MetricsRegistrations ends every registration it holds at once") {
  MetricsRegistry registry;
  {
    MetricsRegistrations group;
    for (const char* link : {"a", "b", "c"})
      group.Add(registry.RegisterCallback("cascade_link_bytes_total", "bytes", true, {{"link", link}},
                                          [] { return 1.0; }));
    CHECK(group.size() == 3);
    CHECK(registry.Read("cascade_link_bytes_total", {{"link", "c"}}) == 1);
  }
  CHECK(registry.RenderPrometheus().empty());
}
