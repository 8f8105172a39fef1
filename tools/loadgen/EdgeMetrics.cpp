#include "tools/loadgen/EdgeMetrics.hpp"

#include <cstdlib>
#include <string>

namespace cascade::loadgen {

std::optional<double> FindSample(std::string_view text, std::string_view name, std::string_view label) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#' || !line.starts_with(name)) continue;
    std::string_view rest = line.substr(name.size());
    if (rest.empty() || (rest[0] != ' ' && rest[0] != '{')) continue;  // a longer name
    std::string_view labels;
    if (rest[0] == '{') {
      size_t close = rest.find('}');
      if (close == std::string_view::npos) continue;
      labels = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    }
    if (!label.empty() && labels.find(label) == std::string_view::npos) continue;
    std::string value(rest);
    char* parsed_end = nullptr;
    double v = std::strtod(value.c_str(), &parsed_end);
    if (parsed_end == value.c_str()) continue;
    return v;
  }
  return std::nullopt;
}

std::optional<EdgeSnapshot> ParseEdgeSnapshot(std::string_view text) {
  EdgeSnapshot s;
  auto rss = FindSample(text, "cascade_process_resident_bytes");
  auto forwarded = FindSample(text, "cascade_media_packets_forwarded_total");
  if (!rss || !forwarded) return std::nullopt;
  s.resident_bytes = *rss;
  s.packets_forwarded = *forwarded;
  if (auto cpu = FindSample(text, "cascade_process_cpu_seconds_total")) {
    s.cpu_seconds = *cpu;
    s.has_cpu = true;
  }
  s.viewer_sessions = FindSample(text, "cascade_edge_sessions", "kind=\"viewer\"").value_or(0);
  s.publisher_sessions = FindSample(text, "cascade_edge_sessions", "kind=\"publisher\"").value_or(0);
  return s;
}

}  // namespace cascade::loadgen
