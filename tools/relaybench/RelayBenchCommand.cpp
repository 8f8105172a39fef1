// `cascade relaybench`: the command line of tools/relaybench.
#include <memory>

#include "core/base/Log.hpp"
#include "tools/cascade/Commands.hpp"
#include "tools/relaybench/RelayBench.hpp"

namespace cascade::tools {

void AddRelayBenchCommand(CLI::App& app) {
  auto options = std::make_shared<relaybench::RelayBenchOptions>();
  auto* cmd = app.add_subcommand(
      "relaybench",
      "benchmark one relay: packets/s per core fanning a stream to N children, and the latency a hop adds");
  cmd->add_option("--children", options->children, "children of the relay (in-process nodes)")
      ->check(CLI::Range(1, 500));
  cmd->add_option("--rate", options->rate_pps, "publisher packets/s (50 audio, the rest 1,200-byte VP8)")
      ->check(CLI::Range(100, 100000));
  cmd->add_option("--pace-ms", options->pace_ms, "the publisher sends video every this many ms")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--duration", options->duration_s, "seconds of the measuring window")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--warmup-ms", options->warmup_ms, "ms between every child receiving media and the window")
      ->check(CLI::Range(0, 600000));
  cmd->add_option("--base-port", options->base_port,
                  "control HTTP port; control channel +1, origin HTTP +10 and media +20, relay +11 and +21")
      ->check(CLI::Range(1024, 60000));
  cmd->add_option("--min-delivery", options->min_delivery_pct,
                  "percent of the window's packets every child must receive (0: any)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--room", options->room, "room (stream) name");
  cmd->add_option(
      "--node-exe", options->node_exe,
      "the cascade binary to run the origin and the relay with (e.g. when this one runs under valgrind)");
  cmd->add_option("--log-level", options->log_level, "log level of the nodes and the bench")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  cmd->callback([options] {
    base::LogLevel level{};
    if (base::ParseLogLevel(options->log_level, level)) base::Log::SetLevel(level);
    int code = relaybench::RunRelayBench(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace cascade::tools
