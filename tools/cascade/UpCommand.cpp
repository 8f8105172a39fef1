#include <memory>

#include "tools/cascade/Commands.hpp"
#include "tools/cascade/LocalMesh.hpp"

namespace cascade::tools {

void AddUpCommand(CLI::App& app) {
  auto plan = std::make_shared<LocalMeshPlan>();
  auto* up =
      app.add_subcommand("up", "run a local mesh on loopback: control, relays and edges in several regions");
  up->add_option("--base-port", plan->base_port, "control HTTP port; node ports are derived from it")
      ->check(CLI::Range(1024, 60000));
  up->add_option(
        "--regions", plan->regions,
        "emulated regions, names from the latency matrix (default europe-west1,us-east1,asia-northeast1)")
      ->delimiter(',');
  up->add_option("--edges", plan->edges, "edges per region (default: 2 in the first region, 1 in each other)")
      ->check(CLI::Range(1, LocalMeshPlan::kMaxEdges));
  up->add_option("--relays", plan->relays, "relays per region (default 1)")
      ->check(CLI::Range(0, LocalMeshPlan::kMaxRelays));
  up->add_option("--loss", plan->loss, "random loss on emulated inter-region links, each way (e.g. 0.01)")
      ->check(CLI::Range(0.0, 0.99));
  up->add_option("--matrix", plan->matrix, "RTT matrix CSV giving the inter-region delays (RTT/2 each way)");
  up->add_option("--log-file", plan->log_file,
                 "where node and control logs go (default /tmp/cascade-up-<base port>.log; '-': stderr)");
  up->add_option("--duration", plan->duration_s, "stop after this many seconds (0: run until Ctrl-C)")
      ->check(CLI::Range(0, 86400));
  auto tree_file = std::make_shared<std::string>();
  up->add_option("--tree", *tree_file,
                 "TOML tree: nodes, regions, parents, rooms (see tests/data/tree); replaces "
                 "--regions/--edges/--relays")
      ->check(CLI::ExistingFile);
  up->callback([plan, tree_file] {
    if (!tree_file->empty()) plan->tree = LoadTreePlan(*tree_file);
    int code = RunLocalMesh(*plan);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace cascade::tools
