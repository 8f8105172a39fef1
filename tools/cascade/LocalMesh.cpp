#include "tools/cascade/LocalMesh.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "control/server/ControlDaemon.hpp"
#include "core/base/Log.hpp"
#include "core/ice/IceCredentials.hpp"
#include "core/net/SignalWatch.hpp"
#include "core/net/Timer.hpp"
#include "tools/cascade/ChildProcesses.hpp"
#include "tools/cascade/LinkEmulators.hpp"
#include "tools/cascade/MeshSummary.hpp"

namespace cascade::tools {

std::vector<LocalMeshPlan::Node> LocalMeshPlan::Nodes() const {
  std::vector<Node> nodes;
  int edge_index = 0;
  int relay_index = 0;
  auto add = [&](const std::string& role, std::string id, std::string region, std::string parent) {
    const bool edge = role == "edge";
    const int i = edge ? edge_index++ : relay_index++;
    nodes.push_back({role, std::move(id), std::move(region),
                     static_cast<uint16_t>(base_port + (edge ? 10 : 30) + i),
                     static_cast<uint16_t>(base_port + (edge ? 1920 : 1950) + i), std::move(parent)});
  };
  if (tree) {
    for (const auto& node : tree->nodes) add(node.role, node.id, node.region, node.parent);
    return nodes;
  }
  for (size_t r = 0; r < regions.size(); ++r) {
    const std::string& region = regions[r];
    for (int i = 0; i < relays; ++i)
      add("relay", "relay-" + region + "-" + std::to_string(i + 1), region, "");
    for (int i = 0; i < EdgesIn(r); ++i)
      add("edge", "edge-" + region + "-" + std::to_string(i + 1), region, "");
  }
  return nodes;
}

std::string LocalMeshPlan::LogFile() const {
  return log_file.empty() ? "/tmp/cascade-up-" + std::to_string(base_port) + ".log" : log_file;
}

void LocalMeshPlan::Check() const {
  if (tree) return;  // the tree file was checked when loaded
  if (regions.empty()) throw std::invalid_argument("--regions: name at least one region");
  std::set<std::string> seen;
  for (const auto& region : regions) {
    if (region.empty()) throw std::invalid_argument("--regions: empty region name");
    if (!seen.insert(region).second) throw std::invalid_argument("--regions: '" + region + "' twice");
  }
  int total_edges = 0;
  for (size_t r = 0; r < regions.size(); ++r) total_edges += EdgesIn(r);
  if (total_edges > kMaxEdges) {
    throw std::invalid_argument("--edges: " + std::to_string(total_edges) + " edges in all, at most " +
                                std::to_string(kMaxEdges));
  }
  if (relays * static_cast<int>(regions.size()) > kMaxRelays) {
    throw std::invalid_argument("--relays: " + std::to_string(relays * static_cast<int>(regions.size())) +
                                " relays in all, at most " + std::to_string(kMaxRelays));
  }
  if (loss < 0 || loss >= 1) throw std::invalid_argument("--loss: expected a probability in [0, 1)");
}

namespace {

pid_t SpawnNode(ChildProcesses& processes, const LocalMeshPlan& plan, const LocalMeshPlan::Node& node,
                const std::string& control_fingerprint) {
  return processes.Spawn(node.id,
                         {
                             "cascade",
                             node.role,
                             "--set",
                             "node.id=" + node.id,
                             "--set",
                             "node.region=" + node.region,
                             "--set",
                             "http.listen=127.0.0.1:" + std::to_string(node.http_port),
                             "--set",
                             "media.listen=127.0.0.1:" + std::to_string(node.media_port),
                             "--set",
                             "control.address=127.0.0.1:" + std::to_string(plan.control_channel_port()),
                             "--set",
                             "control.fingerprint=" + control_fingerprint,
                             "--set",
                             "log.level=" + std::string(base::ToString(base::Log::Level())),
                         });
}

// Links every room along the tree through control's command API, one link at a time, root
// first; prints each answer and calls `done` with the number of failures.
void LinkTree(control::TreeCommands& commands, const LocalMeshPlan& plan, std::function<void(int)> done) {
  struct Step {
    std::string room, parent, child;
  };
  auto steps = std::make_shared<std::vector<Step>>();
  for (const auto& room : plan.tree->rooms) {
    for (const auto& node : plan.tree->nodes) {
      if (!node.parent.empty()) steps->push_back({room, node.parent, node.id});
    }
  }
  auto failures = std::make_shared<int>(0);
  auto next = std::make_shared<std::function<void(size_t)>>();
  *next = [&commands, steps, failures, next, done](size_t i) {
    if (i == steps->size()) {
      done(*failures);
      *next = nullptr;  // breaks the cycle of the shared function holding itself
      return;
    }
    const Step& step = (*steps)[i];
    commands.AddLink(step.room, step.parent, step.child,
                     [step, i, failures, next](control::TreeCommands::Outcome outcome) {
                       if (outcome.status != 200) ++*failures;
                       std::printf("up: tree %-6s %-12s -> %-14s %s\n", step.room.c_str(),
                                   step.parent.c_str(), step.child.c_str(),
                                   outcome.status == 200 ? "linked" : ("FAILED: " + outcome.error).c_str());
                       std::fflush(stdout);
                       (*next)(i + 1);
                     });
  };
  (*next)(0);
}

void PrintNodes(const control::NodeRegistry& registry) {
  std::printf("  %-24s %-6s %-16s %-6s %-22s %-10s %s\n", "node", "role", "region", "alive", "media",
              "heartbeats", "http");
  for (const auto& [id, record] : registry.nodes()) {
    std::string media =
        record.hello.media_addresses.empty()
            ? "-"
            : record.hello.media_addresses[0].ip + ":" + std::to_string(record.hello.media_addresses[0].port);
    std::printf("  %-24s %-6s %-16s %-6s %-22s %-10llu %s\n", id.c_str(),
                control::ToString(record.hello.role), record.hello.region.c_str(),
                record.alive ? "yes" : "NO", media.c_str(),
                static_cast<unsigned long long>(record.heartbeats), record.hello.http_url.c_str());
  }
  std::fflush(stdout);
}

// Where a registered node receives media, as a link emulator's target.
std::optional<LinkEmulators::End> EndOf(const control::NodeRegistry& registry, const std::string& id) {
  auto it = registry.nodes().find(id);
  if (it == registry.nodes().end()) return std::nullopt;
  for (const auto& address : it->second.hello.media_addresses) {
    if (address.transport == "udp") return LinkEmulators::End{id, it->second.hello.region, address};
  }
  return std::nullopt;
}

// The log file every child writes to, and the sink for control's own log lines while it
// lives; "-" keeps everything on stderr (fd() is then -1).
class MeshLog {
 public:
  explicit MeshLog(const std::string& path) {
    if (path == "-") return;
    fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("--log-file: cannot open " + path);
    base::Log::SetSink([fd = fd_](std::string_view line) { WriteLine(fd, line); });
  }
  ~MeshLog() {
    if (fd_ < 0) return;
    base::Log::SetSink([](std::string_view line) { WriteLine(STDERR_FILENO, line); });
    close(fd_);
  }
  MeshLog(const MeshLog&) = delete;
  MeshLog& operator=(const MeshLog&) = delete;
  int fd() const { return fd_; }

 private:
  // One write per line: with O_APPEND, the lines of all processes never interleave.
  static void WriteLine(int fd, std::string_view line) {
    std::string text(line);
    text += '\n';
    ssize_t ignored = write(fd, text.data(), text.size());
    (void)ignored;
  }
  int fd_ = -1;
};

}  // namespace

int RunLocalMesh(const LocalMeshPlan& plan) {
  plan.Check();
  const std::string log_path = plan.LogFile();
  MeshLog log(log_path);
  const int log_fd = log.fd();
  if (log_fd >= 0) std::printf("up: node and control logs go to %s\n", log_path.c_str());

  net::Loop loop;
  auto nodes = plan.Nodes();
  ChildProcesses processes(log_fd);
  // A tree file emulates only when it says so; a mesh without one always does.
  std::unique_ptr<LinkEmulators> emulators;
  struct FixedPath {
    std::string parent, child;
    control::NodeAddress address;
  };
  std::vector<FixedPath> fixed_paths;
  if (!plan.tree) {
    emulators = std::make_unique<LinkEmulators>(
        processes, LinkEmulators::Options{plan.base_port, plan.matrix, plan.loss});
    for (const auto& region : plan.regions) {
      if (!emulators->Knows(region)) {
        throw std::invalid_argument("--regions: '" + region + "' is not in " + plan.matrix);
      }
    }
  } else if (!plan.tree->matrix.empty()) {
    emulators = std::make_unique<LinkEmulators>(
        processes, LinkEmulators::Options{plan.base_port, plan.tree->matrix, plan.tree->loss});
    // The file's links first, in file order, so their ports stay where tests expect them.
    for (const auto& node : plan.tree->nodes) {
      if (!plan.tree->Emulated(node)) continue;
      const LocalMeshPlan::Node* parent = nullptr;
      const LocalMeshPlan::Node* child = nullptr;
      for (const auto& n : nodes) {
        if (n.id == node.parent) parent = &n;
        if (n.id == node.id) child = &n;
      }
      auto path = emulators->Between({parent->id, parent->region, {"127.0.0.1", parent->media_port, "udp"}},
                                     {child->id, child->region, {"127.0.0.1", child->media_port, "udp"}});
      if (path) fixed_paths.push_back({parent->id, child->id, *path});
    }
  }
  control::ControlSettings settings;
  settings.http_address = *net::SocketAddress::Parse("127.0.0.1", plan.control_http_port());
  settings.channel_address = *net::SocketAddress::Parse("127.0.0.1", plan.control_channel_port());
  settings.heartbeat_interval_ms = 500;
  // Nodes prove themselves to control with a secret made for this mesh, handed to them in
  // their environment (a command line is readable by every local user).
  settings.node_secret = ice::RandomIceString(32);
  control::ControlDaemon control(loop, settings);
  std::printf("up: control plane on http://127.0.0.1:%u (node channel 127.0.0.1:%u)\n",
              plan.control_http_port(), plan.control_channel_port());

  for (const auto& path : fixed_paths) control.tree().SetPath(path.parent, path.child, path.address);
  if (emulators) {
    // Links control makes at run time (by hand or by itself) between regions.
    const auto& registry = control.server().registry();
    control.tree().SetPathProvider(
        [&registry, raw = emulators.get()](const std::string& parent,
                                           const std::string& child) -> std::optional<control::NodeAddress> {
          auto parent_end = EndOf(registry, parent);
          auto child_end = EndOf(registry, child);
          if (!parent_end || !child_end) return std::nullopt;
          return raw->Between(*parent_end, *child_end);
        });
  }

  setenv("CASCADE_AUTH_NODE_SECRET", settings.node_secret.c_str(), 1);
  for (const auto& node : nodes) {
    pid_t pid = SpawnNode(processes, plan, node, control.fingerprint().ToString());
    if (pid < 0) {
      std::fprintf(stderr, "up: could not start %s\n", node.id.c_str());
      continue;
    }
    std::printf("up: started %-5s %-24s pid %-7d http 127.0.0.1:%u media udp 127.0.0.1:%u\n",
                node.role.c_str(), node.id.c_str(), pid, node.http_port, node.media_port);
  }
  std::fflush(stdout);

  std::vector<std::string> regions = plan.regions;
  if (plan.tree) {
    regions.clear();
    for (const auto& node : plan.tree->nodes) {
      if (std::find(regions.begin(), regions.end(), node.region) == regions.end())
        regions.push_back(node.region);
    }
  }
  MeshSummary summary(loop, control.server().registry(), control.tree(), emulators.get(), regions,
                      log_fd >= 0 ? log_path : "");

  bool all_registered_once = false;
  int tree_failures = 0;
  uint64_t started_ms = loop.clock().NowMs();
  net::Timer status(loop, [&] {
    const auto& registry = control.server().registry();
    bool all = registry.alive_count() == nodes.size();
    if (all && !all_registered_once) {
      all_registered_once = true;
      std::printf("up: all %zu nodes registered with control after %llu ms\n", nodes.size(),
                  static_cast<unsigned long long>(loop.clock().NowMs() - started_ms));
      std::printf(
          "up: node list at http://127.0.0.1:%u/api/nodes, tree at /api/tree, metrics at /metrics; Ctrl-C "
          "stops the mesh\n",
          plan.control_http_port());
      std::fflush(stdout);
      summary.Start();
      if (plan.tree) {
        LinkTree(control.tree(), plan, [&](int failures) {
          tree_failures = failures;
          std::printf("up: tree %s (%zu rooms from %s, tree at http://127.0.0.1:%u/api/tree)\n",
                      failures == 0 ? "ready" : "NOT ready", plan.tree->rooms.size(),
                      plan.tree->root().id.c_str(), plan.control_http_port());
          std::fflush(stdout);
        });
      }
    }
  });
  status.Start(100, 100);
  // A child that ends on its own (a crash) is reported at once; its log is in the log file.
  net::Timer reaper(loop, [&] {
    for (const auto& report : processes.ReapEnded()) {
      std::printf("up: %s; see %s\n", report.c_str(), log_fd >= 0 ? log_path.c_str() : "stderr");
      std::fflush(stdout);
    }
  });
  reaper.Start(500, 500);
  net::Timer deadline(loop, [&] { loop.Stop(); });
  if (plan.duration_s > 0) deadline.Start(static_cast<uint64_t>(plan.duration_s) * 1000);

  // Ctrl-C or a polite kill: stop the loop, then the nodes, and report.
  net::SignalWatch signals(loop, [&loop](int) { loop.Stop(); });

  loop.Run();

  std::printf("up: stopping %zu processes (%zu nodes, %zu link emulator(s))\n", processes.size(),
              nodes.size(), emulators ? emulators->running().size() : size_t{0});
  bool final_all = control.server().registry().alive_count() == nodes.size();
  PrintNodes(control.server().registry());
  int failures = processes.StopAll();
  std::printf("up: %s (%d node processes exited uncleanly)\n",
              all_registered_once && final_all ? "mesh was healthy" : "mesh was NOT healthy", failures);
  std::fflush(stdout);
  return all_registered_once && final_all && failures == 0 && tree_failures == 0 ? 0 : 1;
}

}  // namespace cascade::tools
