#include "tools/cascade/CtlFormat.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "tools/loadgen/EdgeMetrics.hpp"

namespace cascade::tools {
namespace {

using Json = nlohmann::json;

// Columns padded to their widest cell, two spaces apart; the last column is not padded.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string Fixed(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

std::string Text(const Json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end()) return "";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

double Number(const Json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_number() ? found->get<double>() : 0;
}

const Json& List(const Json& object, const char* key) {
  static const Json kEmpty = Json::array();
  auto found = object.find(key);
  return found != object.end() && found->is_array() ? *found : kEmpty;
}

const Json& Object(const Json& object, const char* key) {
  static const Json kEmpty = Json::object();
  auto found = object.find(key);
  return found != object.end() && found->is_object() ? *found : kEmpty;
}

std::string LastHeard(double ms_ago) {
  if (ms_ago < 1000) return Fixed("%.1f s ago", ms_ago / 1000);
  return Fixed("%.0f s ago", ms_ago / 1000);
}

struct RoomSeen {
  std::vector<std::string> publishers;                         // edges with its publisher
  std::vector<std::pair<std::string, uint64_t>> edge_viewers;  // edges reporting it, by id
  std::vector<std::pair<std::string, std::string>> links;      // parent, child
};

std::map<std::string, RoomSeen> RoomsOf(const Json& nodes_answer, const Json& tree_answer) {
  std::map<std::string, RoomSeen> rooms;
  for (const auto& node : List(nodes_answer, "nodes")) {
    if (!node.value("alive", false)) continue;
    const std::string id = Text(node, "id");
    const bool edge = Text(node, "role") == "edge";
    for (const auto& report : List(node, "rooms")) {
      RoomSeen& room = rooms[Text(report, "name")];
      if (report.value("publisher", false)) room.publishers.push_back(id);
      if (edge) room.edge_viewers.emplace_back(id, static_cast<uint64_t>(Number(report, "viewers")));
    }
  }
  for (const auto& [name, links] : Object(tree_answer, "streams").items()) {
    RoomSeen& room = rooms[name];
    for (const auto& link : links) room.links.emplace_back(Text(link, "parent"), Text(link, "child"));
  }
  return rooms;
}

// The node that is a parent in the links but never a child.
std::string RootOf(const RoomSeen& room) {
  std::set<std::string> children;
  for (const auto& [parent, child] : room.links) children.insert(child);
  for (const auto& [parent, child] : room.links) {
    if (!children.contains(parent)) return parent;
  }
  return "";
}

}  // namespace

std::string FormatNodes(const Json& nodes_answer) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "ROLE", "REGION", "ALIVE", "SESSIONS", "USERS", "CPU", "EGRESS", "LAST HEARD"}};
  for (const auto& node : List(nodes_answer, "nodes")) {
    const Json& load = Object(node, "load");
    rows.push_back({Text(node, "id"), Text(node, "role"), Text(node, "region"),
                    node.value("alive", false) ? "yes" : "no", Fixed("%.0f", Number(load, "sessions")),
                    Fixed("%.0f", Number(load, "users")), Fixed("%.0f%%", Number(load, "cpu_percent")),
                    FormatBitrate(Number(load, "egress_bps")), LastHeard(Number(node, "last_heard_ms_ago"))});
  }
  if (rows.size() == 1) return "no node has registered with control\n";
  return FormatTable(rows);
}

std::string FormatRooms(const Json& nodes_answer, const Json& tree_answer) {
  auto rooms = RoomsOf(nodes_answer, tree_answer);
  if (rooms.empty()) return "no rooms\n";
  std::vector<std::vector<std::string>> rows = {{"ROOM", "ORIGIN", "LINKS", "VIEWERS", "PER EDGE"}};
  for (const auto& [name, room] : rooms) {
    std::string origin;
    for (const auto& id : room.publishers) origin += (origin.empty() ? "" : ",") + id;
    if (origin.empty()) origin = RootOf(room);
    if (origin.empty()) origin = "-";
    uint64_t viewers = 0;
    std::string per_edge;
    for (const auto& [id, count] : room.edge_viewers) {
      viewers += count;
      per_edge += (per_edge.empty() ? "" : ", ") + id + " " + std::to_string(count);
    }
    rows.push_back({name, origin, std::to_string(room.links.size()), std::to_string(viewers),
                    per_edge.empty() ? "-" : per_edge});
  }
  return FormatTable(rows);
}

MeshSnapshot RoomSnapshot(const Json& nodes_answer, const Json& tree_answer, const std::string& room,
                          const std::map<std::string, std::string>& before,
                          const std::map<std::string, std::string>& after, double interval_s) {
  MeshSnapshot snapshot;
  std::map<std::string, std::string> http_urls;
  for (const auto& entry : List(nodes_answer, "nodes")) {
    MeshSnapshot::Node node;
    node.id = Text(entry, "id");
    node.role = Text(entry, "role");
    node.region = Text(entry, "region");
    node.alive = entry.value("alive", false);
    if (node.role == "edge") {
      node.viewers = 0;
      node.publishers = 0;
      for (const auto& report : List(entry, "rooms")) {
        if (Text(report, "name") != room) continue;
        node.viewers = static_cast<int>(Number(report, "viewers"));
        node.publishers = report.value("publisher", false) ? 1 : 0;
      }
    }
    http_urls[node.id] = Text(entry, "http_url");
    snapshot.nodes.push_back(std::move(node));
  }
  std::sort(snapshot.nodes.begin(), snapshot.nodes.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  const Json& streams = Object(tree_answer, "streams");
  auto links = streams.find(room);
  if (links == streams.end()) return snapshot;
  auto& out = snapshot.rooms[room];
  for (const auto& entry : *links) {
    MeshSnapshot::Link link;
    const std::string parent = Text(entry, "parent");
    const std::string child = Text(entry, "child");
    const std::string& url = http_urls[child];
    if (auto now = after.find(url); now != after.end()) {
      if (auto figures = ReadLinkFigures(now->second, parent)) link = *figures;
      const std::string label = "peer=\"" + parent + "\"";
      auto bytes_now = loadgen::FindSample(now->second, "cascade_link_rtp_bytes_received_total", label);
      auto then = before.find(url);
      if (bytes_now && then != before.end() && interval_s > 0) {
        if (auto bytes_then =
                loadgen::FindSample(then->second, "cascade_link_rtp_bytes_received_total", label))
          link.bitrate_bps = std::max(0.0, *bytes_now - *bytes_then) * 8 / interval_s;
      }
    }
    link.parent = parent;
    link.child = child;
    link.linked = true;  // /api/tree lists the links both nodes confirmed
    out.push_back(std::move(link));
  }
  return snapshot;
}

std::string FormatPlacement(const Json& answer) {
  std::string located = Text(answer, "located_by") + ", address " + Text(answer, "address");
  if (answer.value("forwarded", false)) located += " (from X-Forwarded-For)";
  return FormatTable({{"room", Text(answer, "room") + " (" + Text(answer, "role") + ")"},
                      {"edge", Text(answer, "edge")},
                      {"edge region", Text(answer, "edge_region")},
                      {"edge url", Text(answer, "edge_url")},
                      {"client region", Text(answer, "client_region")},
                      {"located by", located},
                      {"mode", Text(answer, "mode")},
                      {"policy", Text(answer, "policy")}});
}

}  // namespace cascade::tools
