#include "tools/cascade/LocalMesh.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <functional>
#include <memory>

#include "control/server/ControlDaemon.hpp"
#include "core/base/Log.hpp"
#include "core/net/Timer.hpp"

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
  for (int i = 0; i < relays; ++i) add("relay", "relay-" + std::to_string(i + 1), "local", "");
  for (int i = 0; i < edges; ++i) add("edge", "edge-" + std::to_string(i + 1), "local", "");
  return nodes;
}

std::vector<LocalMeshPlan::Emulator> LocalMeshPlan::Emulators() const {
  std::vector<Emulator> emulators;
  if (!tree) return emulators;
  auto nodes = Nodes();
  for (const auto& node : tree->nodes) {
    if (!tree->Emulated(node)) continue;
    uint16_t parent_media = 0;
    for (const auto& n : nodes) {
      if (n.id == node.parent) parent_media = n.media_port;
    }
    const auto i = static_cast<uint16_t>(emulators.size());
    emulators.push_back({node.id, node.parent, static_cast<uint16_t>(base_port + 1980 + i),
                         static_cast<uint16_t>(base_port + 60 + i), parent_media});
  }
  return emulators;
}

namespace {

// Runs this binary again with `args`; the child dies with us.
pid_t Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  // A node must not outlive the mesh, however `up` ends (even SIGKILL).
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(1);
  execv("/proc/self/exe", argv.data());
  _exit(127);
}

pid_t SpawnNode(const LocalMeshPlan& plan, const LocalMeshPlan::Node& node,
                const std::string& control_fingerprint) {
  return Spawn({
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

// A relative matrix path is tried from the working directory, then from the source tree.
std::string ResolveDataPath(const std::string& path) {
  if (path.empty() || path[0] == '/' || access(path.c_str(), R_OK) == 0) return path;
  return std::string(CASCADE_SOURCE_DIR) + "/" + path;
}

pid_t SpawnEmulator(const TreePlan& tree, const LocalMeshPlan::Emulator& emulator, size_t index) {
  const auto* child = tree.Find(emulator.child);
  const auto* parent = tree.Find(emulator.parent);
  char loss[32];
  std::snprintf(loss, sizeof(loss), "%.4f", tree.loss);
  return Spawn({"cascade", "linkemu", "--listen", "127.0.0.1:" + std::to_string(emulator.listen_port), "--to",
                "127.0.0.1:" + std::to_string(emulator.parent_media_port), "--http",
                "127.0.0.1:" + std::to_string(emulator.http_port), "--delay-from-matrix",
                ResolveDataPath(tree.matrix), "--from", child->region, "--to-region", parent->region,
                "--loss", loss, "--seed", std::to_string(index + 1)});
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
  std::printf("  %-10s %-6s %-7s %-6s %-22s %-10s %s\n", "node", "role", "region", "alive", "media",
              "heartbeats", "http");
  for (const auto& [id, record] : registry.nodes()) {
    std::string media =
        record.hello.media_addresses.empty()
            ? "-"
            : record.hello.media_addresses[0].ip + ":" + std::to_string(record.hello.media_addresses[0].port);
    std::printf("  %-10s %-6s %-7s %-6s %-22s %-10llu %s\n", id.c_str(), control::ToString(record.hello.role),
                record.hello.region.c_str(), record.alive ? "yes" : "NO", media.c_str(),
                static_cast<unsigned long long>(record.heartbeats), record.hello.http_url.c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int RunLocalMesh(const LocalMeshPlan& plan) {
  net::Loop loop;
  control::ControlSettings settings;
  settings.http_address = *net::SocketAddress::Parse("127.0.0.1", plan.control_http_port());
  settings.channel_address = *net::SocketAddress::Parse("127.0.0.1", plan.control_channel_port());
  settings.heartbeat_interval_ms = 500;
  control::ControlDaemon control(loop, settings);
  std::printf("up: control plane on http://127.0.0.1:%u (node channel 127.0.0.1:%u)\n",
              plan.control_http_port(), plan.control_channel_port());

  auto nodes = plan.Nodes();
  auto emulators = plan.Emulators();
  std::vector<pid_t> children;
  for (size_t i = 0; i < emulators.size(); ++i) {
    const auto& emulator = emulators[i];
    pid_t pid = SpawnEmulator(*plan.tree, emulator, i);
    if (pid < 0) continue;
    children.push_back(pid);
    control.tree().SetPath(emulator.parent, emulator.child,
                           control::NodeAddress{"127.0.0.1", emulator.listen_port, "udp"});
    std::printf(
        "up: started link emulator %s -> %s on udp 127.0.0.1:%u (http 127.0.0.1:%u), %s -> %s, loss %.1f%%\n",
        emulator.child.c_str(), emulator.parent.c_str(), emulator.listen_port, emulator.http_port,
        plan.tree->Find(emulator.child)->region.c_str(), plan.tree->Find(emulator.parent)->region.c_str(),
        plan.tree->loss * 100);
  }
  for (const auto& node : nodes) {
    pid_t pid = SpawnNode(plan, node, control.fingerprint().ToString());
    if (pid < 0) {
      std::fprintf(stderr, "up: could not start %s\n", node.id.c_str());
      continue;
    }
    children.push_back(pid);
    std::printf("up: started %-5s %-8s pid %-7d http 127.0.0.1:%u media udp 127.0.0.1:%u\n",
                node.role.c_str(), node.id.c_str(), pid, node.http_port, node.media_port);
  }
  std::fflush(stdout);

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
      PrintNodes(registry);
      std::printf(
          "up: node list at http://127.0.0.1:%u/api/nodes, metrics at /metrics; Ctrl-C stops the mesh\n",
          plan.control_http_port());
      std::fflush(stdout);
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
  net::Timer report(loop, [&] {
    std::printf("up: %zu/%zu nodes alive\n", control.server().registry().alive_count(), nodes.size());
    std::fflush(stdout);
  });
  report.Start(10000, 10000);
  net::Timer deadline(loop, [&] { loop.Stop(); });
  if (plan.duration_s > 0) deadline.Start(static_cast<uint64_t>(plan.duration_s) * 1000);

  // Ctrl-C or a polite kill: stop the loop, then the nodes, and report.
  std::vector<uv_signal_t*> signals;
  for (int signum : {SIGINT, SIGTERM}) {
    auto* handle = new uv_signal_t;
    uv_signal_init(loop.raw(), handle);
    handle->data = &loop;
    uv_signal_start(
        handle, [](uv_signal_t* h, int) { static_cast<net::Loop*>(h->data)->Stop(); }, signum);
    uv_unref(reinterpret_cast<uv_handle_t*>(handle));
    signals.push_back(handle);
  }

  loop.Run();

  std::printf("up: stopping %zu node processes\n", children.size());
  bool final_all = control.server().registry().alive_count() == nodes.size();
  PrintNodes(control.server().registry());
  for (pid_t pid : children) kill(pid, SIGTERM);
  int failures = 0;
  for (pid_t pid : children) {
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    if (!(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)) ++failures;
  }
  for (auto* handle : signals) {
    uv_close(reinterpret_cast<uv_handle_t*>(handle),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
  }
  std::printf("up: %s (%d node processes exited uncleanly)\n",
              all_registered_once && final_all ? "mesh was healthy" : "mesh was NOT healthy", failures);
  return all_registered_once && final_all && failures == 0 && tree_failures == 0 ? 0 : 1;
}

}  // namespace cascade::tools
