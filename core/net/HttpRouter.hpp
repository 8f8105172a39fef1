#pragma once
// Maps method + path pattern ("/whip/{room}/{session}") to a handler. Pure, so it is tested
// without sockets.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/HttpMessage.hpp"

namespace cascade::net {

// Sends the response for one request. Copyable; sending more than once, or after the
// connection is gone, does nothing.
using HttpRespond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest& request, HttpRespond respond)>;
// Runs before a guarded route's handler: a response it returns (a 401, say) is sent
// instead of calling the handler; nullopt lets the request through.
using HttpGuard = std::function<std::optional<HttpResponse>(const HttpRequest& request)>;

class HttpRouter {
 public:
  void Add(std::string method, std::string pattern, HttpHandler handler);
  // Guards every route (added before or after) whose pattern starts with the segments of
  // `pattern_prefix` ("/api" guards "/api/nodes" and "/api/tree/links"), except the
  // patterns in `exempt`: one check in one place, however many routes there are. CORS
  // preflights and 404/405 answers are not guarded. One guard per router; "/" guards all.
  void Guard(std::string pattern_prefix, HttpGuard guard, std::set<std::string> exempt = {});

  struct Match {
    const HttpHandler* handler = nullptr;  // null: no route for this method
    const HttpGuard* guard = nullptr;      // set: run it before the handler
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed_methods;  // every method whose pattern matches the path
  };
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  bool Guarded(const Route& route) const;
  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& path,
                            std::map<std::string, std::string>* params);

  std::vector<Route> routes_;
  std::vector<std::string> guard_prefix_;
  HttpGuard guard_;
  std::set<std::vector<std::string>> guard_exempt_;
};

}  // namespace cascade::net
