#pragma once
// Registers `cascade loadgen` (see LoadGenerator.hpp) on the CLI.
#include <CLI/CLI.hpp>

namespace cascade::loadgen {

void AddLoadgenCommand(CLI::App& app);

}  // namespace cascade::loadgen
