#pragma once
// Each subcommand of the `cascade` binary registers itself on the CLI11 app.
#include <CLI/CLI.hpp>

namespace cascade::tools {

void AddNodeCommands(CLI::App& app);  // control, edge, relay
void AddUpCommand(CLI::App& app);     // up: a whole local mesh on loopback
void AddTokenCommand(CLI::App& app);  // token: WHIP/WHEP bearer tokens
void AddCtlCommand(CLI::App& app);    // ctl: nodes, rooms, trees and placement of a running control
// entrybench: placements per second through control's HTTP entry, beside GET /healthz.
void AddEntryBenchCommand(CLI::App& app);

// relaybench: one relay's packets/s per core and the latency a hop adds (tools/relaybench).
void AddRelayBenchCommand(CLI::App& app);

}  // namespace cascade::tools
