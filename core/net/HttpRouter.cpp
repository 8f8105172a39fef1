#include "core/net/HttpRouter.hpp"

#include <algorithm>

namespace cascade::net {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

}  // namespace

void HttpRouter::Add(std::string method, std::string pattern, HttpHandler handler) {
  Route route{std::move(method), {}, std::move(handler)};
  for (auto segment : SplitPath(pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

void HttpRouter::Guard(std::string pattern_prefix, HttpGuard guard, std::set<std::string> exempt) {
  guard_prefix_.clear();
  for (auto segment : SplitPath(pattern_prefix)) guard_prefix_.emplace_back(segment);
  guard_ = std::move(guard);
  guard_exempt_.clear();
  for (const auto& pattern : exempt) {
    std::vector<std::string> segments;
    for (auto segment : SplitPath(pattern)) segments.emplace_back(segment);
    guard_exempt_.insert(std::move(segments));
  }
}

bool HttpRouter::Guarded(const Route& route) const {
  if (!guard_ || route.segments.size() < guard_prefix_.size()) return false;
  if (!std::equal(guard_prefix_.begin(), guard_prefix_.end(), route.segments.begin())) return false;
  return !guard_exempt_.contains(route.segments);
}

bool HttpRouter::MatchSegments(const Route& route, const std::vector<std::string_view>& path,
                               std::map<std::string, std::string>* params) {
  // A trailing "{*rest}" segment matches any remainder (static files).
  bool has_rest = !route.segments.empty() && route.segments.back().starts_with("{*");
  if (has_rest ? path.size() < route.segments.size() - 1 : path.size() != route.segments.size()) return false;
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.starts_with("{*")) {
      std::string rest;
      for (size_t k = i; k < path.size(); ++k) {
        if (!rest.empty()) rest += '/';
        rest += path[k];
      }
      if (params) (*params)[want.substr(2, want.size() - 3)] = rest;
      return true;
    }
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (path[i].empty()) return false;
      if (params) (*params)[want.substr(1, want.size() - 2)] = std::string(path[i]);
    } else if (want != path[i]) {
      return false;
    }
  }
  return true;
}

HttpRouter::Match HttpRouter::Find(std::string_view method, std::string_view path) const {
  Match match;
  auto segments = SplitPath(path);
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!MatchSegments(route, segments, &params)) continue;
    match.allowed_methods.push_back(route.method);
    if (!match.handler && route.method == method) {
      match.handler = &route.handler;
      match.params = std::move(params);
      // By the route's pattern, not the request's spelling of the path ("//api/x" is "/api/x").
      if (Guarded(route)) match.guard = &guard_;
    }
  }
  return match;
}

}  // namespace cascade::net
