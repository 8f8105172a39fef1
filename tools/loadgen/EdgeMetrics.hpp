#pragma once
// Reads the figures the benchmark needs out of an edge's Prometheus /metrics text.
#include <optional>
#include <string_view>

namespace cascade::loadgen {

// The value of the first sample named `name` whose label set contains `label` (e.g.
// `kind="viewer"`; empty: any), or nullopt.
std::optional<double> FindSample(std::string_view text, std::string_view name, std::string_view label = {});

struct EdgeSnapshot {
  double resident_bytes = 0;
  double cpu_seconds = 0;
  double packets_forwarded = 0;
  double viewer_sessions = 0;
  double publisher_sessions = 0;
  bool has_cpu = false;  // cascade_process_cpu_seconds_total present
};

// nullopt when the text lacks the resident-bytes or packets-forwarded samples.
std::optional<EdgeSnapshot> ParseEdgeSnapshot(std::string_view text);

}  // namespace cascade::loadgen
