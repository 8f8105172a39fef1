#pragma once
#include <CLI/CLI.hpp>

#include <set>
#include <string>
#include <vector>

#include "core/base/Config.hpp"

namespace cascade::tools {

// --config FILE and --set section.key=value, shared by every node subcommand.
struct NodeOptions {
  std::string config_file;
  std::vector<std::string> overrides;

  void AddTo(CLI::App* command);
  // File, then CASCADE_* environment, then --set; applies log.level. Throws ConfigError.
  base::Config Load(const std::set<std::string>& known_keys) const;
};

}  // namespace cascade::tools
