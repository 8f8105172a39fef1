#include "tools/cascade/ChildProcesses.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

namespace cascade::tools {

ChildProcesses::~ChildProcesses() { StopAll(); }

namespace {

std::string HowEnded(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

bool Clean(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

}  // namespace

pid_t ChildProcesses::Spawn(const std::string& name, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid != 0) {
    children_.push_back({name, pid, false});
    return pid;
  }
  // A node must not outlive the mesh, however `up` ends.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(1);
  if (log_fd_ >= 0) {
    dup2(log_fd_, STDOUT_FILENO);
    dup2(log_fd_, STDERR_FILENO);
  }
  execv("/proc/self/exe", argv.data());
  _exit(127);
}

std::vector<std::string> ChildProcesses::ReapEnded() {
  std::vector<std::string> reports;
  for (auto& child : children_) {
    int status = 0;
    if (child.ended || waitpid(child.pid, &status, WNOHANG) != child.pid) continue;
    child.ended = true;
    ++unclean_;
    reports.push_back(child.name + " (pid " + std::to_string(child.pid) + ") " + HowEnded(status));
  }
  return reports;
}

int ChildProcesses::StopAll() {
  for (const auto& child : children_) {
    if (!child.ended) kill(child.pid, SIGTERM);
  }
  for (auto& child : children_) {
    if (child.ended) continue;
    int status = 0;
    if (waitpid(child.pid, &status, 0) != child.pid || !Clean(status)) ++unclean_;
    child.ended = true;
  }
  children_.clear();
  return std::exchange(unclean_, 0);
}

}  // namespace cascade::tools
