#pragma once
// `cascade entrybench`: how many clients per second control's HTTP entry places. Keep-alive
// connections (loadgen::HttpConnection), each with a few requests in flight, send
//   1. GET /healthz for a while: the HTTP layer's own limit on this server, then
//   2. POST /whep/{room} with a valid token and a small SDP offer, counting the 307s,
// and the two rates and their ratio are printed. Tokens are signed here with the entry's
// secret (the development secret unless told), spread over many rooms so one room's edge
// does not fill up. With the control process's pid, its CPU use in each phase is shown too.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/net/SocketAddress.hpp"

namespace cascade::tools {

struct EntryBenchOptions {
  std::string control = "http://127.0.0.1:8080";
  std::string secret;                     // auth.secret of control; empty: the development secret
  int connections = 16;                   // keep-alive connections
  int depth = 4;                          // requests in flight on each (pipelined)
  double seconds = 5;                     // per phase
  int rooms = 64;                         // tokens for rooms bench-0 .. bench-(N-1)
  std::vector<std::string> region_hints;  // cycled through the tokens; empty: no hint
  int control_pid = 0;                    // 0: control's CPU is not shown
};

struct EntryPhase {
  std::string name;
  double seconds = 0;
  uint64_t expected = 0;             // answers with the status the phase wants (200, 307)
  std::map<int, uint64_t> statuses;  // every answer, by status (0: transport error)
  double control_cpu_percent = -1;   // -1: unknown
  double bench_cpu_percent = 0;      // this process (the client side)
  double rate() const { return seconds > 0 ? static_cast<double>(expected) / seconds : 0; }
  // Control's CPU time per answered request: what one request costs the server whether or
  // not the client side kept it busy (-1: unknown).
  double control_us_per_request() const {
    return control_cpu_percent < 0 || expected == 0 ? -1
                                                    : control_cpu_percent / 100 * seconds * 1e6 / expected;
  }
};

// Runs both phases against a running control; throws std::runtime_error when it cannot reach it.
std::vector<EntryPhase> RunEntryBench(const EntryBenchOptions& options);
std::string FormatEntryBench(const std::vector<EntryPhase>& phases);

}  // namespace cascade::tools
