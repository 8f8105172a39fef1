#pragma once
// `cascade relaybench`: what one relay costs and adds. Control runs in this process (as in
// `cascade up`); one origin `cascade edge` and one `cascade relay` run as child processes of
// this binary; N lightweight child nodes run in this process (ChildEndpoint), each with its
// own UDP socket, registered with control like real nodes. Control links the room
// origin -> relay -> each child, and origin -> one more "direct" child, through its tree
// commands; a synthetic WHIP publisher (the load generator's) feeds the origin.
//
// Over a steady window it reads the relay's own /metrics (CPU seconds, packets forwarded to
// child links) for packets per second per core, checks from sequence numbers that every
// child received the window's packets, and subtracts, packet by packet, the arrival time at
// the direct child from the arrival time at each relayed child: the latency one relay hop
// adds (same process, same clock).
#include <cstdint>
#include <string>

namespace cascade::relaybench {

struct RelayBenchOptions {
  int children = 50;
  int rate_pps = 1000;   // the publisher's packets/s: 50 audio, the rest VP8 in 1,200-byte packets
  int pace_ms = 5;       // video goes out every pace_ms (a few packets at a time, not frame bursts)
  int duration_s = 10;   // the measuring window
  int warmup_ms = 2000;  // after every child received media, before the window
  uint16_t base_port = 18700;
  double min_delivery_pct = 99.0;  // each child must receive at least this share of the window
  std::string room = "bench";
  std::string log_level = "warn";           // of the node processes and this one
  std::string node_exe = "/proc/self/exe";  // what runs `edge` and `relay` (this binary)
};

// Runs the whole benchmark; prints the figures on stdout. Returns the exit code: 0 when
// every step worked and every child received at least min_delivery_pct of the packets.
int RunRelayBench(const RelayBenchOptions& options);

}  // namespace cascade::relaybench
