#include "edge/IceSessions.hpp"

#include <vector>

namespace cascade::edge {

void IceSessions::Set(const std::string& id, Entry entry) {
  Remove(id);
  id_by_ufrag_[entry.local_ufrag] = id;
  by_id_[id] = std::move(entry);
}

const IceSessions::Entry* IceSessions::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const std::string* IceSessions::SessionOfUfrag(std::string_view local_ufrag) const {
  auto it = id_by_ufrag_.find(std::string(local_ufrag));
  return it == id_by_ufrag_.end() ? nullptr : &it->second;
}

void IceSessions::Remove(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  auto ufrag = id_by_ufrag_.find(it->second.local_ufrag);
  if (ufrag != id_by_ufrag_.end() && ufrag->second == id) id_by_ufrag_.erase(ufrag);
  by_id_.erase(it);
}

void IceSessions::Prune(const std::function<bool(const std::string& id)>& alive) {
  std::vector<std::string> dead;
  for (const auto& [id, entry] : by_id_) {
    if (!alive(id)) dead.push_back(id);
  }
  for (const auto& id : dead) Remove(id);
}

}  // namespace cascade::edge
