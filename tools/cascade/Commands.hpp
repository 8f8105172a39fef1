#pragma once
// Each subcommand of the `cascade` binary registers itself on the CLI11 app.
#include <CLI/CLI.hpp>

namespace cascade::tools {

void AddNodeCommands(CLI::App& app);  // control, edge, relay
void AddUpCommand(CLI::App& app);     // up: a whole local mesh on loopback
void AddTokenCommand(CLI::App& app);  // token: WHIP/WHEP bearer tokens

}  // namespace cascade::tools
