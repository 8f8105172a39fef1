#pragma once
// What `cascade ctl` prints, from control's JSON answers: pure, so every table is tested
// without a mesh.
//
//   cascade ctl nodes       GET /api/nodes                 -> FormatNodes
//   cascade ctl rooms       GET /api/nodes + GET /api/tree -> FormatRooms
//   cascade ctl tree ROOM   both, plus every child node's /metrics twice -> RoomSnapshot + FormatRoomTree
//   cascade ctl place ...   GET /api/place                 -> FormatPlacement
#include <nlohmann/json.hpp>

#include <map>
#include <string>

#include "tools/cascade/MeshSummary.hpp"

namespace cascade::tools {

// One row per node: id, role, region, alive, sessions, users, cpu %, egress, last heard.
std::string FormatNodes(const nlohmann::json& nodes_answer);

// One row per room (in the tree or reported by a node): its origin (the publisher's edge, else
// the tree's root), its links, and its viewers in all and per edge.
std::string FormatRooms(const nlohmann::json& nodes_answer, const nlohmann::json& tree_answer);

// Where `room`'s tree is and what each link carries. Each link's figures are read from its
// child's /metrics: `before` and `after` are bodies keyed by the node's http_url, scraped
// `interval_s` apart (the bitrate is the received bytes between them; `before` may be empty).
// Nodes show the room's viewers and publisher as their heartbeats report them.
MeshSnapshot RoomSnapshot(const nlohmann::json& nodes_answer, const nlohmann::json& tree_answer,
                          const std::string& room, const std::map<std::string, std::string>& before,
                          const std::map<std::string, std::string>& after, double interval_s);

// The answer of GET /api/place as "key  value" lines.
std::string FormatPlacement(const nlohmann::json& place_answer);

}  // namespace cascade::tools
