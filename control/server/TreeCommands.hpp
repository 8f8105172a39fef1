#pragma once
// The stream trees: which node feeds which for every stream, set over HTTP and carried out
// with commands on the control channel.
//
//   POST   /api/tree/links  {"stream":"demo","parent":"relay-1","child":"edge-2"}
//          ServeChild to the parent, then (once it answered ok) AttachStream to the child.
//   DELETE /api/tree/links?stream=S&child=C
//          DetachStream to the child, then DetachStream{child_node_id=C} to the parent.
//   GET    /api/tree  {"streams":{"demo":[{"parent":"relay-1","child":"edge-2"}]}}
//
// Answers are JSON: 200 {"ok":true}, or {"ok":false,"error":"..."} with 400 (bad body or
// query, naming the field), 404 (unknown or unregistered node, unknown link), 409 (parent
// == child, the child has another parent in that stream, a cycle, a node registered
// without a fingerprint or UDP address, or the link is being changed), 502 (a node
// answered an error or is not connected: "<node>: <error>") or 504 (a node did not answer).
//
// Each (parent, child) node pair gets one set of ICE credentials, made when its first
// stream is linked and reused by every further stream on the pair, so the two nodes run
// one link for all of them; it is forgotten when the pair's last stream is unlinked.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "control/server/ControlServer.hpp"
#include "core/net/HttpRouter.hpp"
#include "core/net/Timer.hpp"

namespace cascade::control {

class TreeCommands {
 public:
  explicit TreeCommands(ControlServer& server);
  ~TreeCommands();
  TreeCommands(const TreeCommands&) = delete;
  TreeCommands& operator=(const TreeCommands&) = delete;

  // Adds POST and DELETE /api/tree/links and GET /api/tree.
  void AddRoutes(net::HttpRouter& router);

  // What an operation ended with: an HTTP status (200 = done) and, if not, why.
  struct Outcome {
    int status = 200;
    std::string error;
  };
  using OutcomeDone = std::function<void(Outcome)>;
  // Who made a stream's links: an operator (the HTTP API, a tree file) or control's own
  // TreeController. The controller leaves streams an operator linked alone.
  enum class Owner : uint8_t { kOperator, kController };

  // The operations behind POST and DELETE /api/tree/links. `done` is called exactly once:
  // before returning when the request is refused (4xx), later from the loop otherwise.
  // Linking an existing link again resends both commands (repairs a restarted node).
  // With `move`, a child that has another parent is moved to this one make-before-break:
  // the new parent serves it, the child switches, then the old parent (if still
  // registered) is told to stop; without it that is a 409.
  void AddLink(const std::string& stream, const std::string& parent, const std::string& child,
               OutcomeDone done, Owner owner = Owner::kOperator, bool move = false);
  // The link is forgotten once both nodes answered, even when one failed (its error is
  // still reported).
  void RemoveLink(const std::string& stream, const std::string& child, OutcomeDone done);

  // Records a link the nodes already run (a node reported it, e.g. to a restarted control)
  // without sending commands; nothing happens if the child has a link in that stream.
  void Adopt(const std::string& stream, const std::string& parent, const std::string& child);
  // Forgets a link without sending commands (a follower replica: the nodes no longer run it).
  void Forget(const std::string& stream, const std::string& child) { ForgetLink(stream, child); }

  // The address `child` uses to reach `parent` (e.g. a link emulator in between) instead
  // of the parent's registered UDP address: sent as AttachStream.parent_address for every
  // stream linked on the pair from then on. ServeChild still carries the child's own address.
  void SetPath(const std::string& parent, const std::string& child, NodeAddress address);
  // Asked for the pair's path in AddLink when SetPath gave none (e.g. `cascade up` starts a
  // link emulator for a pair whose nodes are in different regions); nullopt: the parent's
  // registered UDP address.
  void SetPathProvider(
      std::function<std::optional<NodeAddress>(const std::string& parent, const std::string& child)>
          provider);

  struct Link {
    std::string parent;
    std::string child;
  };
  // Links both nodes confirmed (and not yet removed), ordered by child.
  std::vector<Link> LinksOf(const std::string& stream) const;
  // Every link of the stream, confirmed or with commands in flight, ordered by child.
  struct LinkView {
    std::string parent;
    std::string child;
    bool linked = false;
    bool busy = false;
  };
  std::vector<LinkView> ViewOf(const std::string& stream) const;
  // True while any link of the stream was made by an operator.
  bool OperatorOwned(const std::string& stream) const { return operator_streams_.contains(stream); }
  // Every stream with at least one link, sorted.
  std::vector<std::string> Streams() const;
  // The node that is a parent but never a child among the stream's links; nullopt if the
  // stream has no links or the links do not form a single tree.
  std::optional<std::string> RootOf(const std::string& stream) const;
  // Every node in the stream's links, sorted; empty: the stream has no tree.
  std::vector<std::string> NodesOf(const std::string& stream) const;
  // The credentials of a node pair while any stream links it.
  std::optional<LinkCredentials> CredentialsOf(const std::string& parent, const std::string& child) const;

 private:
  struct LinkState {
    std::string parent;
    std::string old_parent;  // a move in flight: the parent the child leaves
    bool linked = false;     // both nodes confirmed it
    bool busy = false;       // commands for it are in flight: other changes wait
  };
  using Pair = std::pair<std::string, std::string>;  // (parent, child)

  // Checks `id` can take part in a link and fills its address and fingerprint.
  std::optional<Outcome> CheckNode(const std::string& id, NodeAddress& address,
                                   std::string& fingerprint) const;
  void FinishAdd(const std::string& stream, const std::string& child, bool was_linked,
                 const Outcome& outcome);
  void ForgetLink(const std::string& stream, const std::string& child);
  // Forgets the pair's credentials unless some stream still links it.
  void ForgetCredentialsIfUnused(const Pair& pair);
  static Outcome Failure(const std::string& node, const CommandResult& result);

  ControlServer& server_;
  std::map<std::string, std::map<std::string, LinkState>> streams_;  // stream -> child -> link
  std::map<Pair, LinkCredentials> credentials_;
  std::map<Pair, NodeAddress> paths_;  // SetPath
  std::function<std::optional<NodeAddress>(const std::string&, const std::string&)> path_provider_;
  std::set<std::string> operator_streams_;
  // Old parents' DetachStream after a move, sent once the child had time to switch.
  std::map<uint64_t, std::unique_ptr<net::Timer>> delayed_;
  uint64_t next_delayed_id_ = 1;
  // Command callbacks may outlive this (the server outlives it): they check this first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cascade::control
