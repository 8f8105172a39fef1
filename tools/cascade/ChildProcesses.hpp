#pragma once
// The child processes of `cascade up` (nodes, link emulators): this binary run again with
// other arguments, its stdout and stderr sent to the mesh's log file so the terminal keeps
// only the mesh's own story. Every child dies with us, however we end (even SIGKILL).
#include <sys/types.h>

#include <string>
#include <vector>

namespace cascade::tools {

class ChildProcesses {
 public:
  // `log_fd` (borrowed; -1: inherit ours) becomes every child's stdout and stderr.
  explicit ChildProcesses(int log_fd) : log_fd_(log_fd) {}
  ~ChildProcesses();
  ChildProcesses(const ChildProcesses&) = delete;
  ChildProcesses& operator=(const ChildProcesses&) = delete;

  // Runs `cascade <args...>` as `name` (for reports); returns the pid, or -1 when fork failed.
  pid_t Spawn(const std::string& name, std::vector<std::string> args);
  size_t size() const { return children_.size(); }
  // Collects children that ended on their own and returns one line per child saying how
  // ("relay-us-east1-1 (pid 42) was killed by signal 11"); each counts as unclean.
  std::vector<std::string> ReapEnded();
  // SIGTERM to every child still running, then waits for each; returns how many did not
  // exit with 0 (including those ReapEnded found).
  int StopAll();

 private:
  struct Child {
    std::string name;
    pid_t pid = -1;
    bool ended = false;
  };
  int log_fd_;
  std::vector<Child> children_;
  int unclean_ = 0;
};

}  // namespace cascade::tools
