#pragma once
// Maps method + path pattern ("/whip/{room}/{session}") to a handler. Pure, so it is tested
// without sockets.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/HttpMessage.hpp"

namespace cascade::net {

// Sends the response for one request. Copyable; sending more than once, or after the
// connection is gone, does nothing.
using HttpRespond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest& request, HttpRespond respond)>;

class HttpRouter {
 public:
  void Add(std::string method, std::string pattern, HttpHandler handler);

  struct Match {
    const HttpHandler* handler = nullptr;  // null: no route for this method
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
  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& path,
                            std::map<std::string, std::string>* params);

  std::vector<Route> routes_;
};

}  // namespace cascade::net
