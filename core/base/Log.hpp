#pragma once
// Structured logging: one line per event, `key=value` fields so that logs can be grepped
// by node, session or stream id. The sink and level are process-wide (set once by main);
// everything else is passed in.
#include <charconv>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/base/Clock.hpp"

namespace cascade::base {

enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError, kOff };

const char* ToString(LogLevel level);
// Accepts debug|info|warn|error|off; returns false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel& out);

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <std::integral T>
  LogField(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v);

  std::string_view key;
  std::string value;
};

class Log {
 public:
  using Sink = std::function<void(std::string_view line)>;

  static void SetLevel(LogLevel level);
  static LogLevel Level();
  static bool Enabled(LogLevel level) { return level >= Level(); }
  // Default sink writes to stderr; tests capture lines with their own sink.
  static void SetSink(Sink sink);
  static void Write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
  // Formats without writing, for tests and for sinks that add a prefix.
  static std::string Format(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);
};

// For problems that can happen once per packet: writes the first occurrence, then at most
// one line per interval carrying how many were suppressed, so an attack cannot flood the log.
class RateLimitedLog {
 public:
  RateLimitedLog(const Clock& clock, uint64_t interval_ms)
      : clock_(clock), interval_us_(interval_ms * 1000) {}

  // Returns true when the line was written.
  bool Write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
  uint64_t suppressed() const { return suppressed_; }

 private:
  const Clock& clock_;
  uint64_t interval_us_;
  uint64_t last_written_us_ = 0;
  bool written_once_ = false;
  uint64_t suppressed_ = 0;
};

}  // namespace cascade::base

#define CASCADE_LOG(level, event, ...)                                                                  \
  do {                                                                                                  \
    if (::cascade::base::Log::Enabled(level)) ::cascade::base::Log::Write(level, event, {__VA_ARGS__}); \
  } while (0)
#define LOG_DEBUG(event, ...) CASCADE_LOG(::cascade::base::LogLevel::kDebug, event, __VA_ARGS__)
#define LOG_INFO(event, ...) CASCADE_LOG(::cascade::base::LogLevel::kInfo, event, __VA_ARGS__)
#define LOG_WARN(event, ...) CASCADE_LOG(::cascade::base::LogLevel::kWarn, event, __VA_ARGS__)
#define LOG_ERROR(event, ...) CASCADE_LOG(::cascade::base::LogLevel::kError, event, __VA_ARGS__)
