#include "tools/cascade/MeshSummary.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>

#include "tools/loadgen/EdgeMetrics.hpp"

namespace cascade::tools {
namespace {

std::string Printf(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

std::string Plural(int count, const char* one, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

const MeshSnapshot::Node* FindNode(const MeshSnapshot& snapshot, const std::string& id) {
  for (const auto& node : snapshot.nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

// "1 publisher, 2 viewers" for an edge whose figures are known; "DOWN" for a dead node.
std::string NodeState(const MeshSnapshot::Node* node) {
  if (!node) return "not registered";
  if (!node->alive) return "DOWN";
  if (node->role != "edge" || !node->viewers) return "";
  std::string text;
  if (node->publishers && *node->publishers > 0)
    text = Plural(*node->publishers, "publisher", "publishers") + ", ";
  return text + Plural(*node->viewers, "viewer", "viewers");
}

std::string LinkState(const MeshSnapshot::Link& link, bool figures) {
  std::string text;
  if (!link.linked) text += "  (linking)";
  if (link.emulated_one_way_ms)
    text += "  via emulator " + Printf("%.0f", *link.emulated_one_way_ms) + " ms each way";
  if (!figures) return text;
  if (link.bitrate_bps) text += "  " + FormatBitrate(*link.bitrate_bps);
  if (link.rtt_ms)
    text += "  rtt " + (*link.rtt_ms < 1 ? std::string("<1") : Printf("%.0f", *link.rtt_ms)) + " ms";
  if (link.loss_pct) {
    text += "  loss " + Printf("%.2f%%", *link.loss_pct);
    if (link.repaired_pct && *link.repaired_pct > 0)
      text += " (" + Printf("%.2f%%", *link.repaired_pct) + " before repair)";
  }
  return text;
}

}  // namespace

std::string FormatRoomTree(const MeshSnapshot& snapshot, const std::string& room, bool figures) {
  auto found = snapshot.rooms.find(room);
  if (found == snapshot.rooms.end()) return "";
  const std::vector<MeshSnapshot::Link>& links = found->second;
  std::string out;
  std::map<std::string, std::vector<const MeshSnapshot::Link*>> children;
  std::set<std::string> is_child;
  for (const auto& link : links) {
    children[link.parent].push_back(&link);
    is_child.insert(link.child);
  }
  out += "  room " + room + "\n";
  std::function<void(const std::string&, const MeshSnapshot::Link*, const std::string&, const std::string&)>
      print;
  print = [&](const std::string& id, const MeshSnapshot::Link* upstream, const std::string& lead,
              const std::string& indent) {
    std::string line = "    " + lead + id;
    std::string state = NodeState(FindNode(snapshot, id));
    if (!state.empty()) line += "  " + state;
    if (upstream) line += LinkState(*upstream, figures);
    out += line + "\n";
    auto below = children.find(id);
    if (below == children.end()) return;
    for (size_t i = 0; i < below->second.size(); ++i) {
      bool last = i + 1 == below->second.size();
      print(below->second[i]->child, below->second[i], indent + (last ? "└─ " : "├─ "),
            indent + (last ? "   " : "│  "));
    }
  };
  for (const auto& [parent, list] : children) {
    if (!is_child.contains(parent)) print(parent, nullptr, "", "");
  }
  return out;
}

std::string FormatBitrate(double bps) {
  if (bps >= 1e6) return Printf("%.2f Mbit/s", bps / 1e6);
  return Printf("%.0f kbit/s", bps / 1e3);
}

std::optional<MeshSnapshot::Link> ReadLinkFigures(std::string_view metrics, const std::string& peer) {
  std::string label = "peer=\"" + peer + "\"";
  auto received = loadgen::FindSample(metrics, "cascade_link_rtp_packets_received_total", label);
  if (!received) return std::nullopt;
  MeshSnapshot::Link link;
  auto lost = loadgen::FindSample(metrics, "cascade_link_lost_after_repair_total", label).value_or(0);
  auto missing = loadgen::FindSample(metrics, "cascade_link_lost_before_repair_total", label).value_or(0);
  if (*received + lost > 0) {
    link.loss_pct = 100.0 * lost / (*received + lost);
    link.repaired_pct = 100.0 * missing / (*received + missing);
  }
  if (auto rtt = loadgen::FindSample(metrics, "cascade_link_rtt_seconds", label); rtt && *rtt > 0)
    link.rtt_ms = *rtt * 1000;
  return link;
}

std::string FormatMeshSummary(const MeshSnapshot& snapshot, bool figures) {
  size_t alive = 0;
  for (const auto& node : snapshot.nodes) alive += node.alive ? 1 : 0;
  std::string out = "up: " + std::to_string(alive) + "/" + std::to_string(snapshot.nodes.size()) +
                    " nodes alive, " +
                    (snapshot.rooms.empty()
                         ? std::string("no room has a tree yet")
                         : Plural(static_cast<int>(snapshot.rooms.size()), "room", "rooms") + " with a tree");
  if (!snapshot.log_file.empty()) out += "  (node logs: " + snapshot.log_file + ")";
  out += "\n";
  std::vector<std::string> regions = snapshot.regions;
  for (const auto& node : snapshot.nodes) {
    if (std::find(regions.begin(), regions.end(), node.region) == regions.end())
      regions.push_back(node.region);
  }
  for (const auto& region : regions) {
    int total = 0, up = 0, viewers = 0;
    double busiest_cpu = 0;
    std::string per_edge, down;
    for (const auto& node : snapshot.nodes) {
      if (node.region != region) continue;
      ++total;
      if (!node.alive) {
        down += (down.empty() ? "" : ", ") + node.id;
        continue;
      }
      ++up;
      busiest_cpu = std::max(busiest_cpu, node.cpu_percent);
      if (node.role == "edge") {
        int n = node.viewers.value_or(0);
        viewers += n;
        per_edge += (per_edge.empty() ? "" : ", ") + node.id + " " + (node.viewers ? std::to_string(n) : "?");
        if (node.publishers && *node.publishers > 0)
          per_edge += " +" + Plural(*node.publishers, "publisher", "publishers");
      }
    }
    if (total == 0) continue;
    char head[96];
    std::snprintf(head, sizeof(head), "  %-18s %d/%d alive  ", region.c_str(), up, total);
    out += head;
    out += "viewers " + std::to_string(viewers) + (per_edge.empty() ? "" : " (" + per_edge + ")");
    if (figures && busiest_cpu >= 1) out += "  cpu up to " + Printf("%.0f%%", busiest_cpu);
    if (!down.empty()) out += "  DOWN: " + down;
    out += "\n";
  }
  for (const auto& [room, links] : snapshot.rooms) out += FormatRoomTree(snapshot, room, figures);
  return out;
}

MeshSummary::MeshSummary(net::Loop& loop, const control::NodeRegistry& registry,
                         const control::TreeCommands& tree, const LinkEmulators* emulators,
                         std::vector<std::string> regions, std::string log_file)
    : loop_(loop),
      registry_(registry),
      tree_(tree),
      emulators_(emulators),
      regions_(std::move(regions)),
      log_file_(std::move(log_file)) {}

MeshSummary::~MeshSummary() {
  timer_.reset();
  clients_.clear();
}

void MeshSummary::Start() {
  // Printing before scraping: the first block waits for the first figures.
  timer_ = std::make_unique<net::Timer>(loop_, [this] {
    MaybePrint();
    Scrape();
  });
  Scrape();
  timer_->Start(1000, 1000);
}

void MeshSummary::Scrape() {
  for (const auto& [id, record] : registry_.nodes()) {
    if (!record.alive) {
      figures_.erase(id);
      continue;
    }
    auto& client = clients_[id];
    if (!client) {
      auto address = loadgen::ParseHttpUrl(record.hello.http_url);
      if (!address) continue;
      client = std::make_unique<loadgen::HttpClient>(loop_, *address);
    }
    if (client->in_flight() > 0) continue;  // a slow node is not asked twice
    loadgen::HttpClientRequest request;
    request.target = "/metrics";
    std::vector<std::string> peers;
    for (const auto& [peer, other] : registry_.nodes()) peers.push_back(peer);
    client->Send(std::move(request), [this, id, peers](const loadgen::HttpClientResponse& response) {
      if (response.status != 200) {
        figures_.erase(id);
        return;
      }
      NodeFigures figures;
      figures.viewers = loadgen::FindSample(response.body, "cascade_edge_sessions", "kind=\"viewer\"");
      figures.publishers = loadgen::FindSample(response.body, "cascade_edge_sessions", "kind=\"publisher\"");
      for (const auto& peer : peers) {
        if (auto link = ReadLinkFigures(response.body, peer)) figures.links_by_peer[peer] = *link;
      }
      figures_[id] = std::move(figures);
    });
  }
}

MeshSnapshot MeshSummary::Snapshot() const {
  MeshSnapshot snapshot;
  snapshot.regions = regions_;
  snapshot.log_file = log_file_;
  for (const auto& [id, record] : registry_.nodes()) {
    MeshSnapshot::Node node{
        id, control::ToString(record.hello.role),        record.hello.region, record.alive, {},
        {}, static_cast<double>(record.load.cpu_percent)};
    if (auto f = figures_.find(id); f != figures_.end() && record.alive) {
      if (f->second.viewers) node.viewers = static_cast<int>(*f->second.viewers);
      if (f->second.publishers) node.publishers = static_cast<int>(*f->second.publishers);
    }
    snapshot.nodes.push_back(std::move(node));
  }
  for (const auto& room : tree_.Streams()) {
    auto& links = snapshot.rooms[room];
    for (const auto& view : tree_.ViewOf(room)) {
      MeshSnapshot::Link link;
      if (auto f = figures_.find(view.child); f != figures_.end()) {
        if (auto l = f->second.links_by_peer.find(view.parent); l != f->second.links_by_peer.end())
          link = l->second;
      }
      link.parent = view.parent;
      link.child = view.child;
      link.linked = view.linked;
      if (emulators_) {
        if (const auto* emulator = emulators_->Find(view.parent, view.child))
          link.emulated_one_way_ms = emulator->one_way_ms;
      }
      links.push_back(std::move(link));
    }
    if (links.empty()) snapshot.rooms.erase(room);
  }
  return snapshot;
}

void MeshSummary::MaybePrint() {
  MeshSnapshot snapshot = Snapshot();
  std::string shape = FormatMeshSummary(snapshot, false);
  std::string text = FormatMeshSummary(snapshot, true);
  uint64_t now = loop_.clock().NowMs();
  bool reshaped = shape != printed_shape_;
  if (!reshaped && (now - printed_ms_ < kFiguresRefreshMs || text == printed_text_)) return;
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  printed_shape_ = std::move(shape);
  printed_text_ = std::move(text);
  printed_ms_ = now;
}

}  // namespace cascade::tools
