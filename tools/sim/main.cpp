// Standalone `cascade-sim` until the main `cascade` binary calls AddSimCommand itself.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "tools/sim/SimCommand.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Cascade simulator"};
  cascade::sim::AddSimCommand(app);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "cascade sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
