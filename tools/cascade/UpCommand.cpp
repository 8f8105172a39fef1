#include <memory>

#include "tools/cascade/Commands.hpp"
#include "tools/cascade/LocalMesh.hpp"

namespace cascade::tools {

void AddUpCommand(CLI::App& app) {
  auto plan = std::make_shared<LocalMeshPlan>();
  auto* up = app.add_subcommand("up", "run a local mesh on loopback: control, relays and edges");
  up->add_option("--base-port", plan->base_port, "control HTTP port; node ports are derived from it")
      ->check(CLI::Range(1024, 60000));
  up->add_option("--edges", plan->edges, "edge processes")->check(CLI::Range(1, 20));
  up->add_option("--relays", plan->relays, "relay processes")->check(CLI::Range(0, 20));
  up->add_option("--duration", plan->duration_s, "stop after this many seconds (0: run until Ctrl-C)")
      ->check(CLI::Range(0, 86400));
  auto tree_file = std::make_shared<std::string>();
  up->add_option("--tree", *tree_file, "TOML tree: nodes, regions, parents, rooms (see tests/data/tree)")
      ->check(CLI::ExistingFile);
  up->callback([plan, tree_file] {
    if (!tree_file->empty()) plan->tree = LoadTreePlan(*tree_file);
    int code = RunLocalMesh(*plan);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace cascade::tools
