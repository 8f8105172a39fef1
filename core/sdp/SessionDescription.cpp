#include "core/sdp/SessionDescription.hpp"

namespace cascade::sdp {

const Group* SessionDescription::BundleGroup() const {
  for (const auto& g : groups) {
    if (g.semantics == "BUNDLE") return &g;
  }
  return nullptr;
}

const MediaDescription* SessionDescription::FindMedia(std::string_view mid) const {
  for (const auto& m : media) {
    if (m.mid && *m.mid == mid) return &m;
  }
  return nullptr;
}

const Attribute* SessionDescription::FindAttribute(std::string_view name) const {
  for (const auto& a : other_attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace cascade::sdp
