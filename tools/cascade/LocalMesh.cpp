#include "tools/cascade/LocalMesh.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <memory>

#include "control/server/ControlDaemon.hpp"
#include "core/base/Log.hpp"
#include "core/net/Timer.hpp"

namespace cascade::tools {

std::vector<LocalMeshPlan::Node> LocalMeshPlan::Nodes() const {
  std::vector<Node> nodes;
  for (int i = 0; i < relays; ++i) {
    nodes.push_back({"relay", "relay-" + std::to_string(i + 1), "local",
                     static_cast<uint16_t>(base_port + 30 + i), static_cast<uint16_t>(base_port + 1950 + i)});
  }
  for (int i = 0; i < edges; ++i) {
    nodes.push_back({"edge", "edge-" + std::to_string(i + 1), "local",
                     static_cast<uint16_t>(base_port + 10 + i), static_cast<uint16_t>(base_port + 1920 + i)});
  }
  return nodes;
}

namespace {

pid_t SpawnNode(const LocalMeshPlan& plan, const LocalMeshPlan::Node& node,
                const std::string& control_fingerprint) {
  std::vector<std::string> args = {
      "cascade", node.role,
      "--set",   "node.id=" + node.id,
      "--set",   "node.region=" + node.region,
      "--set",   "http.listen=127.0.0.1:" + std::to_string(node.http_port),
      "--set",   "media.listen=127.0.0.1:" + std::to_string(node.media_port),
      "--set",   "control.address=127.0.0.1:" + std::to_string(plan.control_channel_port()),
      "--set",   "control.fingerprint=" + control_fingerprint,
      "--set",   "log.level=" + std::string(base::ToString(base::Log::Level())),
  };
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
  std::vector<pid_t> children;
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
  return all_registered_once && final_all && failures == 0 ? 0 : 1;
}

}  // namespace cascade::tools
