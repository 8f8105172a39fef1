#pragma once
// What the edge remembers about each WHIP/WHEP session's ICE beyond what its transport
// exposes: the client's current credentials (to tell a trickle PATCH from a restart) and
// which session a local ufrag names (to route STUN arriving on a new ICE-TCP connection).
//
// The media plane also ends sessions on its own (consent lapsed, DTLS closed), so an entry
// can outlive its session: callers look the session up by the id found here and treat a
// missing one as unknown, and Prune() drops such entries from time to time.
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cascade::edge {

class IceSessions {
 public:
  struct Entry {
    std::string local_ufrag;
    std::string remote_ufrag;
    std::string remote_pwd;
  };

  // Adds or replaces (after an ICE restart) the entry of session `id`.
  void Set(const std::string& id, Entry entry);
  const Entry* Find(const std::string& id) const;
  // The session whose current local ufrag this is; nullptr when none.
  const std::string* SessionOfUfrag(std::string_view local_ufrag) const;
  void Remove(const std::string& id);
  // Drops every entry whose session `alive` says is gone.
  void Prune(const std::function<bool(const std::string& id)>& alive);
  size_t size() const { return by_id_.size(); }

 private:
  std::unordered_map<std::string, Entry> by_id_;
  std::unordered_map<std::string, std::string> id_by_ufrag_;
};

}  // namespace cascade::edge
