#include <unistd.h>

#include <iostream>
#include <memory>

#include "control/server/ControlDaemon.hpp"
#include "core/base/Log.hpp"
#include "core/net/SignalWatch.hpp"
#include "edge/EdgeNode.hpp"
#include "media/NodeRuntime.hpp"
#include "relay/RelayNode.hpp"
#include "tools/cascade/Commands.hpp"
#include "tools/cascade/NodeOptions.hpp"

namespace cascade::tools {

base::Config NodeOptions::Load(const std::set<std::string>& known_keys) const {
  base::Config config;
  if (!config_file.empty()) config.LoadTomlFile(config_file);
  config.LoadEnvironment(environ);
  for (const auto& assignment : overrides) config.Set(assignment, "--set");
  config.RejectUnknownKeys(known_keys);
  base::LogLevel level{};
  std::string level_text = config.GetString("log.level", "info");
  if (!base::ParseLogLevel(level_text, level)) {
    throw base::ConfigError("config key 'log.level': expected debug|info|warn|error|off, got \"" +
                            level_text + "\"");
  }
  base::Log::SetLevel(level);
  return config;
}

void NodeOptions::AddTo(CLI::App* command) {
  command->add_option("-c,--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
  command->add_option("-s,--set", overrides, "override a key: section.key=value (repeatable)");
}

void AddNodeCommands(CLI::App& app) {
  auto control_options = std::make_shared<NodeOptions>();
  auto* control = app.add_subcommand("control", "run the control plane (node registry, HTTP API)");
  control_options->AddTo(control);
  control->callback([control_options] {
    auto config = control_options->Load(control::ControlSettings::KnownKeys());
    net::Loop loop;
    control::ControlDaemon daemon(loop, control::ControlSettings::FromConfig(config));
    net::SignalWatch signals(loop, [&loop](int signum) {
      LOG_INFO("control.stopping", {"signal", signum});
      loop.Stop();
    });
    loop.Run();
  });

  auto edge_options = std::make_shared<NodeOptions>();
  auto* edge = app.add_subcommand("edge", "run an edge node (terminates WebRTC clients)");
  edge_options->AddTo(edge);
  edge->callback([edge_options] {
    auto config = edge_options->Load(edge::EdgeOptions::KnownKeys());
    edge::EdgeNode node(media::NodeSettings::FromConfig(config, control::NodeRole::kEdge),
                        edge::EdgeOptions::FromConfig(config));
    node.Run();
  });

  auto relay_options = std::make_shared<NodeOptions>();
  auto* relay = app.add_subcommand("relay", "run a relay node (fans streams out between data centers)");
  relay_options->AddTo(relay);
  relay->callback([relay_options] {
    auto config = relay_options->Load(media::NodeSettings::KnownKeys());
    relay::RelayNode node(media::NodeSettings::FromConfig(config, control::NodeRole::kRelay),
                          media::RoomOptionsFromConfig(config));
    node.Run();
  });
}

}  // namespace cascade::tools
