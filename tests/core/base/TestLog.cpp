#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/base/Log.hpp"

using namespace cascade::base;

namespace {
struct CapturedLog {
  std::vector<std::string> lines;
  CapturedLog() {
    Log::SetSink([this](std::string_view line) { lines.emplace_back(line); });
    Log::SetLevel(LogLevel::kDebug);
  }
  ~CapturedLog() {
    Log::SetSink([](std::string_view) {});
    Log::SetLevel(LogLevel::kInfo);
  }
};
}  // namespace

TEST_CASE("Log lines carry key=value fields and quote values with spaces") {
  CapturedLog captured;
  LOG_INFO("node.started", {"node", "edge-1"}, {"port", 8080}, {"reason", "hello world"});
  REQUIRE(captured.lines.size() == 1);
  const auto& line = captured.lines[0];
  CHECK(line.find("level=info event=node.started node=edge-1 port=8080 reason=\"hello world\"") !=
        std::string::npos);
}

TEST_CASE("Log drops lines below the level") {
  CapturedLog captured;
  Log::SetLevel(LogLevel::kWarn);
  LOG_INFO("quiet");
  LOG_WARN("loud");
  REQUIRE(captured.lines.size() == 1);
  CHECK(captured.lines[0].find("event=loud") != std::string::npos);
}

TEST_CASE("RateLimitedLog writes once per interval and reports what it suppressed") {
  CapturedLog captured;
  ManualClock clock;
  RateLimitedLog limited(clock, 1000);
  CHECK(limited.Write(LogLevel::kWarn, "rtp.bad"));
  for (int i = 0; i < 50; ++i) CHECK_FALSE(limited.Write(LogLevel::kWarn, "rtp.bad"));
  clock.AdvanceMs(1000);
  CHECK(limited.Write(LogLevel::kWarn, "rtp.bad"));
  REQUIRE(captured.lines.size() == 2);
  CHECK(captured.lines[1].find("suppressed=50") != std::string::npos);
}

TEST_CASE("ParseLogLevel accepts known names only") {
  LogLevel level{};
  CHECK(ParseLogLevel("warn", level));
  CHECK(level == LogLevel::kWarn);
  CHECK_FALSE(ParseLogLevel("loud", level));
}
