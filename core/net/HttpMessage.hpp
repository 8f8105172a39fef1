#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/net/SocketAddress.hpp"

namespace cascade::net {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string path;    // decoded path without the query
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::map<std::string, std::string> params;  // from the route pattern, e.g. {room}
  SocketAddress peer;

  // The first header with this (lower-case) name, or empty.
  std::string_view Header(std::string_view lower_name) const;
  // The value of `?key=` in the query, or empty.
  std::string QueryParam(std::string_view key) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  HttpResponse& Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);
};

// Thrown by handlers on the control path; the server turns it into a response in one place.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

const char* HttpStatusText(int status);
std::string SerializeResponse(const HttpResponse& response, bool keep_alive);

}  // namespace cascade::net
