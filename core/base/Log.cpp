#include "core/base/Log.hpp"

#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <string>

namespace cascade::base {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};

Log::Sink& SinkRef() {
  // One write(2) per line, so that lines of several processes sharing a terminal never interleave.
  static Log::Sink sink = [](std::string_view line) {
    std::string out;
    out.reserve(line.size() + 1);
    out.append(line);
    out += '\n';
    ssize_t ignored = ::write(STDERR_FILENO, out.data(), out.size());
    (void)ignored;
  };
  return sink;
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
  }
  return false;
}

void AppendValue(std::string& out, std::string_view v) {
  if (!NeedsQuotes(v)) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
}

}  // namespace

LogField::LogField(std::string_view k, double v) : key(k) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 6);
  value.assign(buf, ec == std::errc{} ? end : buf);
}

const char* ToString(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "?";
}

bool ParseLogLevel(std::string_view text, LogLevel& out) {
  for (auto level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (text == ToString(level)) {
      out = level;
      return true;
    }
  }
  return false;
}

void Log::SetLevel(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel Log::Level() { return g_level.load(std::memory_order_relaxed); }
void Log::SetSink(Sink sink) { SinkRef() = std::move(sink); }

std::string Log::Format(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(128);
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  gmtime_r(&ts.tv_sec, &utc);
  char stamp[40];
  size_t n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
  snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ", ts.tv_nsec / 1'000'000);
  line += "ts=";
  line += stamp;
  line += " level=";
  line += ToString(level);
  line += " event=";
  AppendValue(line, event);
  for (const auto& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    AppendValue(line, field.value);
  }
  return line;
}

void Log::Write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  SinkRef()(Format(level, event, fields));
}

bool RateLimitedLog::Write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  uint64_t now = clock_.NowUs();
  if (written_once_ && now - last_written_us_ < interval_us_) {
    ++suppressed_;
    return false;
  }
  if (Log::Enabled(level)) {
    std::string line = Log::Format(level, event, fields);
    if (suppressed_ > 0) {
      line += " suppressed=";
      line += std::to_string(suppressed_);
    }
    SinkRef()(line);
  }
  written_once_ = true;
  last_written_us_ = now;
  suppressed_ = 0;
  return true;
}

}  // namespace cascade::base
