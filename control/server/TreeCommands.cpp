#include "control/server/TreeCommands.hpp"

#include <openssl/rand.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <utility>

#include "core/base/Log.hpp"
#include "core/net/Timer.hpp"

namespace cascade::control {

namespace {

// How long an old parent keeps serving a moved child, which switches once its new link is up.
constexpr uint64_t kMoveOverlapMs = 3000;

// [A-Za-z0-9] only: valid ICE ufrag/password characters that need no escaping anywhere.
std::string RandomAlphanumeric(size_t length) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static constexpr unsigned kCount = sizeof(kChars) - 1;  // 62
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    uint8_t bytes[64];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) throw std::runtime_error("RAND_bytes failed");
    for (uint8_t b : bytes) {
      if (b >= (256 / kCount) * kCount) continue;  // rejection keeps the choice unbiased
      out += kChars[b % kCount];
      if (out.size() == length) break;
    }
  }
  return out;
}

LinkCredentials NewCredentials() {
  return LinkCredentials{RandomAlphanumeric(8), RandomAlphanumeric(8), RandomAlphanumeric(24)};
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

net::HttpResponse ToResponse(const TreeCommands::Outcome& outcome) {
  if (outcome.status == 200) return net::HttpResponse::Json(200, nlohmann::json{{"ok", true}}.dump());
  return net::HttpResponse::Json(outcome.status,
                                 nlohmann::json{{"ok", false}, {"error", outcome.error}}.dump());
}

}  // namespace

TreeCommands::TreeCommands(ControlServer& server) : server_(server) {}

TreeCommands::~TreeCommands() = default;

TreeCommands::Outcome TreeCommands::Failure(const std::string& node, const CommandResult& result) {
  return Outcome{result.error == "timeout" ? 504 : 502, node + ": " + result.error};
}

std::optional<TreeCommands::Outcome> TreeCommands::CheckNode(const std::string& id, NodeAddress& address,
                                                             std::string& fingerprint) const {
  const auto& nodes = server_.registry().nodes();
  auto it = nodes.find(id);
  if (it == nodes.end()) return Outcome{404, "unknown node '" + id + "'"};
  const NodeRecord& record = it->second;
  if (!record.alive) return Outcome{404, "node '" + id + "' is not registered now"};
  if (record.hello.certificate_fingerprint.empty())
    return Outcome{409, "node '" + id + "' registered without a certificate fingerprint"};
  for (const auto& a : record.hello.media_addresses) {
    if (a.transport == "udp") {
      address = a;
      fingerprint = record.hello.certificate_fingerprint;
      return std::nullopt;
    }
  }
  return Outcome{409, "node '" + id + "' registered without a udp media address"};
}

void TreeCommands::AddLink(const std::string& stream, const std::string& parent, const std::string& child,
                           OutcomeDone done, Owner owner, bool move) {
  if (stream.empty()) return done({400, "missing field 'stream'"});
  if (parent.empty()) return done({400, "missing field 'parent'"});
  if (child.empty()) return done({400, "missing field 'child'"});
  if (parent == child) return done({409, "parent and child are the same node '" + parent + "'"});
  NodeAddress parent_address;
  NodeAddress child_address;
  std::string parent_fingerprint;
  std::string child_fingerprint;
  if (auto refused = CheckNode(parent, parent_address, parent_fingerprint)) return done(*refused);
  if (auto refused = CheckNode(child, child_address, child_fingerprint)) return done(*refused);
  if (auto path = paths_.find(Pair{parent, child}); path != paths_.end()) {
    parent_address = path->second;
  } else if (path_provider_) {
    if (auto provided = path_provider_(parent, child)) parent_address = *provided;
  }

  bool was_linked = false;
  std::string old_parent;
  if (auto s = streams_.find(stream); s != streams_.end()) {
    const auto& links = s->second;
    if (auto l = links.find(child); l != links.end()) {
      if (l->second.busy) {
        return done(
            {409, "the link " + parent + " -> " + child + " of stream '" + stream + "' is being changed"});
      }
      if (l->second.parent != parent) {
        if (!move) {
          return done({409, "node '" + child + "' already has parent '" + l->second.parent + "' in stream '" +
                                stream + "'"});
        }
        old_parent = l->second.parent;
      }
      was_linked = true;
    }
    // Walking up from the parent must not reach the child.
    std::string up = parent;
    for (size_t steps = 0; steps <= links.size(); ++steps) {
      auto p = links.find(up);
      if (p == links.end()) break;
      up = p->second.parent;
      if (up == child) {
        return done(
            {409, "linking " + parent + " -> " + child + " would make a cycle in stream '" + stream + "'"});
      }
    }
  }

  if (owner == Owner::kOperator) operator_streams_.insert(stream);
  LinkState& link = streams_[stream][child];
  link.parent = parent;
  link.old_parent = old_parent;
  link.linked = was_linked && old_parent.empty();
  link.busy = true;
  auto [stored, inserted] = credentials_.try_emplace(Pair{parent, child});
  if (inserted) stored->second = NewCredentials();
  LinkCredentials credentials = stored->second;

  // A new link, or a move, leaves the new parent serving a child that never came if the
  // child refuses: that is undone.
  const bool undo_serve = !was_linked || !old_parent.empty();
  std::weak_ptr<bool> alive = alive_;
  ServeChild serve{stream, child, child_address, child_fingerprint, credentials};
  server_.SendCommand(
      parent, std::move(serve),
      [this, alive, stream, parent, child, parent_address, parent_fingerprint, credentials, was_linked,
       undo_serve, done](CommandResult served) {
        if (alive.expired()) return;
        if (!served.ok) {
          Outcome failure = Failure(parent, served);
          FinishAdd(stream, child, was_linked, failure);
          done(failure);
          return;
        }
        AttachStream attach{stream, parent, parent_address, parent_fingerprint, credentials};
        server_.SendCommand(
            child, std::move(attach),
            [this, alive, stream, parent, child, was_linked, undo_serve, done](CommandResult attached) {
              if (alive.expired()) return;
              Outcome outcome = attached.ok ? Outcome{} : Failure(child, attached);
              if (!attached.ok && undo_serve) {
                // The parent serves a child that will never come: undo, best effort.
                server_.SendCommand(parent, DetachStream{stream, child}, nullptr);
              }
              FinishAdd(stream, child, was_linked, outcome);
              done(outcome);
            });
      });
}

void TreeCommands::FinishAdd(const std::string& stream, const std::string& child, bool was_linked,
                             const Outcome& outcome) {
  auto s = streams_.find(stream);
  if (s == streams_.end()) return;
  auto l = s->second.find(child);
  if (l == s->second.end()) return;
  const std::string old_parent = std::exchange(l->second.old_parent, std::string());
  if (outcome.status == 200) {
    l->second.linked = true;
    l->second.busy = false;
    LOG_INFO("control.tree_linked", {"stream", stream}, {"parent", l->second.parent}, {"child", child},
             {"moved_from", old_parent});
    if (!old_parent.empty()) {
      // The child switches once its new link is up (make before break) and then closes the
      // old one itself; the old parent is told to stop serving it after that (if it is still
      // there to be told).
      ForgetCredentialsIfUnused(Pair{old_parent, child});
      const uint64_t id = next_delayed_id_++;
      auto timer = std::make_unique<net::Timer>(server_.loop(), [this, id, stream, old_parent, child] {
        server_.SendCommand(old_parent, DetachStream{stream, child}, nullptr);
        delayed_.erase(id);  // destroys this timer, which its own callback may do
      });
      timer->Start(kMoveOverlapMs);
      delayed_[id] = std::move(timer);
    }
    return;
  }
  LOG_WARN("control.tree_link_failed", {"stream", stream}, {"parent", l->second.parent}, {"child", child},
           {"error", outcome.error});
  if (!old_parent.empty()) {
    // A failed move leaves the child where it was.
    ForgetCredentialsIfUnused(Pair{l->second.parent, child});
    l->second.parent = old_parent;
    l->second.linked = true;
    l->second.busy = false;
  } else if (was_linked) {
    l->second.busy = false;  // it was linked before; a failed refresh does not unlink it
  } else {
    ForgetLink(stream, child);
  }
}

void TreeCommands::RemoveLink(const std::string& stream, const std::string& child, OutcomeDone done) {
  if (stream.empty()) return done({400, "missing query parameter 'stream'"});
  if (child.empty()) return done({400, "missing query parameter 'child'"});
  auto s = streams_.find(stream);
  if (s == streams_.end() || !s->second.contains(child)) {
    return done({404, "stream '" + stream + "' has no link to node '" + child + "'"});
  }
  auto l = s->second.find(child);
  if (l->second.busy) {
    return done({409, "the link " + l->second.parent + " -> " + child + " of stream '" + stream +
                          "' is being changed"});
  }
  l->second.busy = true;
  std::string parent = l->second.parent;
  std::weak_ptr<bool> alive = alive_;
  server_.SendCommand(
      child, DetachStream{stream, ""}, [this, alive, stream, parent, child, done](CommandResult detached) {
        if (alive.expired()) return;
        std::optional<Outcome> failure;
        if (!detached.ok) failure = Failure(child, detached);
        server_.SendCommand(parent, DetachStream{stream, child},
                            [this, alive, stream, parent, child, done, failure](CommandResult stopped) {
                              if (alive.expired()) return;
                              Outcome outcome = failure ? *failure : Outcome{};
                              if (!failure && !stopped.ok) outcome = Failure(parent, stopped);
                              ForgetLink(stream, child);
                              LOG_INFO("control.tree_unlinked", {"stream", stream}, {"parent", parent},
                                       {"child", child}, {"error", outcome.error});
                              done(outcome);
                            });
      });
}

void TreeCommands::ForgetLink(const std::string& stream, const std::string& child) {
  auto s = streams_.find(stream);
  if (s == streams_.end()) return;
  auto l = s->second.find(child);
  if (l == s->second.end()) return;
  Pair pair{l->second.parent, child};
  s->second.erase(l);
  if (s->second.empty()) {
    streams_.erase(s);
    operator_streams_.erase(stream);
  }
  ForgetCredentialsIfUnused(pair);
}

void TreeCommands::ForgetCredentialsIfUnused(const Pair& pair) {
  for (const auto& [name, links] : streams_) {
    auto other = links.find(pair.second);
    if (other != links.end() && other->second.parent == pair.first)
      return;  // the pair still carries a stream
  }
  credentials_.erase(pair);
}

void TreeCommands::Adopt(const std::string& stream, const std::string& parent, const std::string& child) {
  auto [link, inserted] = streams_[stream].try_emplace(child);
  if (!inserted) return;
  link->second.parent = parent;
  link->second.linked = true;
  LOG_INFO("control.tree_adopted", {"stream", stream}, {"parent", parent}, {"child", child});
}

void TreeCommands::SetPath(const std::string& parent, const std::string& child, NodeAddress address) {
  paths_[Pair{parent, child}] = std::move(address);
}

void TreeCommands::SetPathProvider(
    std::function<std::optional<NodeAddress>(const std::string& parent, const std::string& child)> provider) {
  path_provider_ = std::move(provider);
}

std::vector<TreeCommands::Link> TreeCommands::LinksOf(const std::string& stream) const {
  std::vector<Link> out;
  auto s = streams_.find(stream);
  if (s == streams_.end()) return out;
  for (const auto& [child, link] : s->second) {
    if (link.linked) out.push_back({link.parent, child});
  }
  return out;
}

std::vector<TreeCommands::LinkView> TreeCommands::ViewOf(const std::string& stream) const {
  std::vector<LinkView> out;
  auto s = streams_.find(stream);
  if (s == streams_.end()) return out;
  for (const auto& [child, link] : s->second) out.push_back({link.parent, child, link.linked, link.busy});
  return out;
}

std::vector<std::string> TreeCommands::Streams() const {
  std::vector<std::string> out;
  for (const auto& [stream, links] : streams_) out.push_back(stream);
  return out;
}

std::optional<std::string> TreeCommands::RootOf(const std::string& stream) const {
  std::set<std::string> parents;
  std::set<std::string> children;
  for (const auto& link : LinksOf(stream)) {
    parents.insert(link.parent);
    children.insert(link.child);
  }
  std::optional<std::string> root;
  for (const auto& p : parents) {
    if (children.count(p)) continue;
    if (root) return std::nullopt;  // two roots: a forest, not a tree
    root = p;
  }
  return root;
}

std::vector<std::string> TreeCommands::NodesOf(const std::string& stream) const {
  std::set<std::string> nodes;
  for (const auto& link : LinksOf(stream)) {
    nodes.insert(link.parent);
    nodes.insert(link.child);
  }
  return {nodes.begin(), nodes.end()};
}

std::optional<LinkCredentials> TreeCommands::CredentialsOf(const std::string& parent,
                                                           const std::string& child) const {
  auto it = credentials_.find(Pair{parent, child});
  if (it == credentials_.end()) return std::nullopt;
  return it->second;
}

void TreeCommands::AddRoutes(net::HttpRouter& router) {
  router.Add("POST", "/api/tree/links", [this](net::HttpRequest& request, net::HttpRespond respond) {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return respond(ToResponse({400, "the body must be a JSON object {stream, parent, child}"}));
    }
    std::string fields[3];
    const char* names[3] = {"stream", "parent", "child"};
    for (int i = 0; i < 3; ++i) {
      auto it = body.find(names[i]);
      if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
        return respond(
            ToResponse({400, std::string("missing field '") + names[i] + "' (a non-empty string)"}));
      }
      fields[i] = it->get<std::string>();
    }
    AddLink(fields[0], fields[1], fields[2], [respond](Outcome outcome) { respond(ToResponse(outcome)); });
  });
  router.Add("DELETE", "/api/tree/links", [this](net::HttpRequest& request, net::HttpRespond respond) {
    RemoveLink(PercentDecode(request.QueryParam("stream")), PercentDecode(request.QueryParam("child")),
               [respond](Outcome outcome) { respond(ToResponse(outcome)); });
  });
  router.Add("GET", "/api/tree", [this](net::HttpRequest&, net::HttpRespond respond) {
    nlohmann::json streams = nlohmann::json::object();
    for (const auto& [stream, links] : streams_) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& link : LinksOf(stream))
        list.push_back({{"parent", link.parent}, {"child", link.child}});
      if (!list.empty()) streams[stream] = std::move(list);
    }
    respond(net::HttpResponse::Json(200, nlohmann::json{{"streams", streams}}.dump()));
  });
}

}  // namespace cascade::control
