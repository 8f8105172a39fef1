#include "tools/cascade/TreePlan.hpp"

#include <toml++/toml.h>

#include <map>
#include <set>
#include <stdexcept>

namespace cascade::tools {
namespace {

std::string Text(const toml::table& table, const char* key, const std::string& where, bool required) {
  auto value = table[key].value<std::string>();
  if (!value && required) throw std::runtime_error(where + ": '" + key + "' (a string) is required");
  return value.value_or("");
}

// Parents before children, so commands go out root first and every node is reachable.
std::vector<TreePlan::Node> RootFirst(const std::vector<TreePlan::Node>& nodes, const std::string& path) {
  std::vector<TreePlan::Node> ordered;
  std::set<std::string> placed;
  while (ordered.size() < nodes.size()) {
    size_t before = ordered.size();
    for (const auto& node : nodes) {
      if (placed.contains(node.id)) continue;
      if (node.parent.empty() || placed.contains(node.parent)) {
        ordered.push_back(node);
        placed.insert(node.id);
      }
    }
    if (ordered.size() == before) throw std::runtime_error(path + ": the parent links form a cycle");
  }
  return ordered;
}

}  // namespace

const TreePlan::Node* TreePlan::Find(const std::string& id) const {
  for (const auto& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

bool TreePlan::Emulated(const Node& child) const {
  const Node* parent = Find(child.parent);
  return !matrix.empty() && parent && parent->region != child.region;
}

TreePlan LoadTreePlan(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    throw std::runtime_error(path + ": " + std::string(error.description()));
  }
  TreePlan plan;
  if (auto* rooms = table["rooms"].as_array()) {
    for (const auto& room : *rooms) {
      auto name = room.value<std::string>();
      if (!name || name->empty()) throw std::runtime_error(path + ": 'rooms' must hold non-empty strings");
      plan.rooms.push_back(*name);
    }
  }
  if (plan.rooms.empty()) throw std::runtime_error(path + ": 'rooms' must list at least one room");
  if (auto* emulation = table["emulation"].as_table()) {
    plan.matrix = Text(*emulation, "matrix", path + " [emulation]", true);
    plan.loss = (*emulation)["loss"].value<double>().value_or(0.0);
    if (plan.loss < 0 || plan.loss >= 1)
      throw std::runtime_error(path + ": [emulation] loss must be in [0, 1)");
  }
  auto* nodes = table["node"].as_array();
  if (!nodes || nodes->empty()) throw std::runtime_error(path + ": no [[node]] entries");
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < nodes->size(); ++i) {
    auto* entry = (*nodes)[i].as_table();
    std::string where = path + " node #" + std::to_string(i + 1);
    if (!entry) throw std::runtime_error(where + ": must be a table");
    TreePlan::Node node{Text(*entry, "id", where, true), Text(*entry, "role", where, true),
                        Text(*entry, "region", where, false), Text(*entry, "parent", where, false)};
    if (node.role != "edge" && node.role != "relay")
      throw std::runtime_error(where + ": role must be \"edge\" or \"relay\"");
    if (node.region.empty()) node.region = "local";
    if (!seen.emplace(node.id, i).second)
      throw std::runtime_error(where + ": duplicate id '" + node.id + "'");
    plan.nodes.push_back(std::move(node));
  }
  size_t roots = 0;
  for (const auto& node : plan.nodes) {
    if (node.parent.empty()) {
      ++roots;
      if (node.role != "edge")
        throw std::runtime_error(path + ": the root '" + node.id +
                                 "' must be an edge (streams are published there)");
    } else if (!seen.contains(node.parent)) {
      throw std::runtime_error(path + ": '" + node.id + "' has unknown parent '" + node.parent + "'");
    } else if (node.parent == node.id) {
      throw std::runtime_error(path + ": '" + node.id + "' is its own parent");
    }
  }
  if (roots != 1) throw std::runtime_error(path + ": need exactly one node without a parent (the root edge)");
  plan.nodes = RootFirst(plan.nodes, path);
  return plan;
}

}  // namespace cascade::tools
