#include "tools/loadgen/LoadgenCommand.hpp"

#include <memory>

#include "tools/loadgen/LoadGenerator.hpp"

namespace cascade::loadgen {

void AddLoadgenCommand(CLI::App& app) {
  auto options = std::make_shared<LoadgenOptions>();
  auto* cmd = app.add_subcommand(
      "loadgen", "drive an edge with a synthetic WHIP publisher and N WHEP viewers; print benchmark figures");
  cmd->add_option("--edge", options->edge_url, "edge HTTP base URL, http://IP:PORT");
  cmd->add_option("--control", options->control_url,
                  "join through control instead: POST to http://IP:PORT, follow its 307 to the chosen edge");
  cmd->add_option("--region", options->region, "region hint in the tokens loadgen fetches (&region=)");
  cmd->add_option("--room", options->room, "room name");
  cmd->add_option("--viewers", options->viewers, "WHEP viewers")->check(CLI::Range(0, 5000));
  cmd->add_flag("--publish", options->publish, "also publish synthetic Opus + VP8 over WHIP");
  cmd->add_option("--duration", options->duration_s, "seconds of the steady measuring window")
      ->check(CLI::Range(1, 3600));
  cmd->add_flag("--token-from-edge", options->token_from_edge,
                "get tokens from GET /api/token on the edge (or control) (default when no token is given)");
  cmd->add_option("--token", options->watch_token, "WHEP bearer token");
  cmd->add_option("--publish-token", options->publish_token, "WHIP bearer token");
  cmd->add_option("--ramp-ms", options->ramp_ms, "milliseconds between two viewers' POSTs")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--frame-bytes", options->frame_bytes, "VP8 frame size")->check(CLI::Range(16, 200000));
  cmd->add_option("--join-timeout", options->join_timeout_s, "seconds to wait for viewers to connect")
      ->check(CLI::Range(1, 600));
  cmd->callback([options] {
    LoadGenerator generator(*options);
    int code = generator.Run();
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace cascade::loadgen
