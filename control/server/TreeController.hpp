#pragma once
// Control's own trees: for every room no operator linked by hand, the room's tree follows
// what the nodes report and where the entry sends clients. The room's origin is the edge
// that reports its publisher; every edge that reports viewers, or that the entry just sent a
// client to, is attached with topology's TreeBuilder (the simulator's code: relay levels,
// fan-out, one ingress per region); an edge without viewers for the grace period is detached
// and relays left feeding nobody are pruned. A node that goes down is taken out of every
// tree and its children re-parented at once (its TCP connection to control closes the moment
// it dies; a silent one is caught by missed heartbeats).
//
// Each pass rebuilds the room's StreamTree from the links TreeCommands holds (so a control
// restarted with no state adopts what nodes report and carries on), changes it, and sends
// only the difference: new links, moves (make-before-break) and removals. Links with
// commands in flight are left alone until they settle.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "control/server/ControlServer.hpp"
#include "control/server/TreeCommands.hpp"
#include "core/net/Timer.hpp"
#include "topology/Fullness.hpp"
#include "topology/LatencyMatrix.hpp"

namespace cascade::control {

class TreeController {
 public:
  struct Options {
    // Children a relay feeds for one stream; an origin edge feeds this many (other local
    // edges, the first relays) before relay levels take over.
    uint32_t relay_fanout = 16;
    uint32_t origin_fanout = 4;
    // An edge keeps its branch this long after its last viewer left (or after a client
    // was sent to it and never showed up).
    uint64_t detach_grace_ms = 15'000;
    // A room whose publisher is gone keeps its tree this long (the publisher may return).
    uint64_t origin_grace_ms = 15'000;
    uint64_t tick_ms = 500;
    // For this long after start, links that nodes report are adopted (a restarted control
    // learns the trees that kept running) and none is removed. Later a report can trail a
    // change control made itself, so it is not adopted.
    uint64_t adopt_window_ms = 10'000;
    // A relay past the first threshold of any measure takes no new children; past the
    // second it is drained (its children move away, make-before-break).
    topology::FullThresholds thresholds;
    // Rebalancing after each pass: at most this many moves of a region's ingress under a
    // closer parent, each saving more than rebalance_cost viewer-ms.
    size_t rebalance_moves = 2;
    double rebalance_cost = 50;
    // A second relay in each region the stream enters through a relay pulls the stream too,
    // childless, so that a failed ingress is replaced within the region at once (costs one
    // more copy of the stream into each such region).
    bool standby_relays = true;
    uint32_t probe_timeout_ms = 250;
    uint64_t suspect_ms = 10'000;
    // RTT between regions missing from the latency matrix.
    double unknown_rtt_ms = 150;
  };

  // `latency` (may be null: every region pair at unknown_rtt_ms) must outlive this.
  TreeController(net::Loop& loop, ControlServer& server, TreeCommands& commands,
                 const topology::LatencyMatrix* latency, Options options, base::MetricsRegistry& metrics);
  ~TreeController();
  TreeController(const TreeController&) = delete;
  TreeController& operator=(const TreeController&) = delete;

  // The entry sent a client of `room` to `edge` (a publisher when `publish`).
  void OnPlaced(const std::string& room, const std::string& edge, bool publish);
  void OnNodeEvent(const std::string& node_id, ControlServer::NodeEvent event);
  // `child` says its parent `parent` went silent. Control pings the parent: one that does not
  // answer within probe_timeout_ms is left out of every tree for suspect_ms (its children
  // move at once); one that answers was only starved from upstream and stays.
  void OnParentLost(const std::string& child, const std::string& parent);

  // Makes one pass over `room` now (tests; events and the timer do it otherwise).
  void Reconcile(const std::string& room);

  // Only the leading control replica (LeaderLease) changes trees. A follower sends no tree
  // command and keeps its links as the nodes report them (adopting and forgetting), so that
  // it holds the running trees the moment it leads. Leader by default (one replica).
  void SetLeader(bool leader);
  bool leader() const { return leader_; }

  struct Counters {
    uint64_t passes = 0;
    uint64_t links_added = 0;
    uint64_t links_moved = 0;
    uint64_t links_removed = 0;
    uint64_t repairs = 0;  // passes caused by a node going down
    uint64_t attach_failures = 0;
    uint64_t parents_lost_confirmed = 0;    // reported silent and did not answer the probe
    uint64_t parents_lost_unconfirmed = 0;  // reported silent but answered
    uint64_t rebalance_moves = 0;
  };
  const Counters& counters() const { return counters_; }
  // The room's origin edge as control sees it; empty: none.
  std::string OriginOf(const std::string& room) const;

 private:
  struct EdgeDemand {
    uint64_t placed_until_us = 0;  // a client is on its way
    uint64_t idle_since_us = 0;    // 0: has viewers (or never idle)
    uint32_t viewers = 0;          // as last reported
  };
  struct RoomState {
    std::string origin;
    uint64_t origin_hint_until_us = 0;  // a publisher was sent to `origin` and is connecting
    uint64_t origin_lost_us = 0;        // the origin stopped reporting its publisher
    uint64_t no_origin_since_us = 0;    // the room has had no origin since
    std::map<std::string, EdgeDemand> edges;
  };

  void ReconcileAll();
  // The first seconds after start, when links nodes report are adopted.
  bool Adopting() const;
  void UpdateFromReports(const std::string& room, RoomState& state, uint64_t now_us);
  void Apply(const std::string& room, const std::map<std::string, std::string>& desired);
  // Every room named by a node report, a placement or a link, minus operator-owned ones.
  std::set<std::string> ManagedRooms() const;

  net::Loop& loop_;
  ControlServer& server_;
  TreeCommands& commands_;
  const topology::LatencyMatrix* latency_;  // passed by argument, may be null
  Options options_;
  std::map<std::string, RoomState> rooms_;
  std::map<std::string, uint64_t> suspects_;  // node -> left out of trees until (us)
  std::set<std::string> probing_;
  Counters counters_;
  bool leader_ = true;
  uint64_t started_us_ = 0;
  net::Timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cascade::control
