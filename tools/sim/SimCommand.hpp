#pragma once
// `cascade sim`: the event simulator, tree benchmark and address locator on the command line.
namespace CLI {
class App;
}

namespace cascade::sim {

void AddSimCommand(CLI::App& app);

}  // namespace cascade::sim
