// cascade: one binary, one subcommand per role or tool.
#include <CLI/CLI.hpp>

#include <iostream>

#include "core/base/Config.hpp"
#include "tools/cascade/Commands.hpp"
#include "tools/linkemu/LinkEmuCommand.hpp"
#include "tools/loadgen/LoadgenCommand.hpp"
#include "tools/sim/SimCommand.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Cascade: a cascading media relay network for WebRTC"};
  app.require_subcommand(1);
  app.add_subcommand("version", "print the version")->callback([] {
    std::cout << "cascade " CASCADE_VERSION "\n";
  });
  cascade::tools::AddNodeCommands(app);
  cascade::tools::AddUpCommand(app);
  cascade::tools::AddTokenCommand(app);
  cascade::tools::AddCtlCommand(app);
  cascade::tools::AddEntryBenchCommand(app);
  cascade::tools::AddRelayBenchCommand(app);
  cascade::sim::AddSimCommand(app);
  cascade::loadgen::AddLoadgenCommand(app);
  cascade::linkemu::AddLinkEmuCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const cascade::base::ConfigError& error) {
    std::cerr << "cascade: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    // Start-up and command-line errors (bad addresses, unreadable files, bad values).
    std::cerr << "cascade: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
