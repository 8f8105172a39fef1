#pragma once
// Registers `cascade linkemu` (see LinkEmulator.hpp) on the CLI.
#include <CLI/CLI.hpp>

namespace cascade::linkemu {

void AddLinkEmuCommand(CLI::App& app);

}  // namespace cascade::linkemu
