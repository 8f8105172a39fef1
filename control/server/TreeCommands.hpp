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
#include <string>
#include <utility>
#include <vector>

#include "control/server/ControlServer.hpp"
#include "core/net/HttpRouter.hpp"

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
  // The operations behind POST and DELETE /api/tree/links. `done` is called exactly once:
  // before returning when the request is refused (4xx), later from the loop otherwise.
  // Linking an existing link again resends both commands (repairs a restarted node).
  void AddLink(const std::string& stream, const std::string& parent, const std::string& child,
               OutcomeDone done);
  // The link is forgotten once both nodes answered, even when one failed (its error is
  // still reported).
  void RemoveLink(const std::string& stream, const std::string& child, OutcomeDone done);

  // The address `child` uses to reach `parent` (e.g. a link emulator in between) instead
  // of the parent's registered UDP address: sent as AttachStream.parent_address for every
  // stream linked on the pair from then on. ServeChild still carries the child's own address.
  void SetPath(const std::string& parent, const std::string& child, NodeAddress address);

  struct Link {
    std::string parent;
    std::string child;
  };
  // Links both nodes confirmed (and not yet removed), ordered by child.
  std::vector<Link> LinksOf(const std::string& stream) const;
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
    bool linked = false;  // both nodes confirmed it
    bool busy = false;    // commands for it are in flight: other changes wait
  };
  using Pair = std::pair<std::string, std::string>;  // (parent, child)

  // Checks `id` can take part in a link and fills its address and fingerprint.
  std::optional<Outcome> CheckNode(const std::string& id, NodeAddress& address,
                                   std::string& fingerprint) const;
  void FinishAdd(const std::string& stream, const std::string& child, bool was_linked,
                 const Outcome& outcome);
  void ForgetLink(const std::string& stream, const std::string& child);
  static Outcome Failure(const std::string& node, const CommandResult& result);

  ControlServer& server_;
  std::map<std::string, std::map<std::string, LinkState>> streams_;  // stream -> child -> link
  std::map<Pair, LinkCredentials> credentials_;
  std::map<Pair, NodeAddress> paths_;  // SetPath
  // Command callbacks may outlive this (the server outlives it): they check this first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cascade::control
