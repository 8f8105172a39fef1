#pragma once
// `cascade ctl`'s side of control's JSON API: blocking GETs on a loop of its own, the operator
// token as `Authorization: Bearer`, and a control error (`{"ok":false,"error":...}`, or any
// non-2xx answer) turned into a CtlError carrying control's message.
//
//   ControlApi api("http://127.0.0.1:8080", token);
//   nlohmann::json nodes = api.Get("/api/nodes");   // throws CtlError
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/net/Loop.hpp"
#include "core/net/SocketAddress.hpp"

namespace cascade::tools {

class CtlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ControlApi {
 public:
  // Throws CtlError when `control_url` is not "http://host:port[/]".
  ControlApi(const std::string& control_url, std::string token, uint64_t timeout_ms = 5000);

  // The JSON body of a 2xx answer to GET `target`; throws CtlError otherwise.
  nlohmann::json Get(const std::string& target);
  // GET /metrics of every URL at once ("http://host:port" each); the body of each that answered
  // 200 in time, keyed by URL. Nodes are not control: no token, and a silent one is skipped.
  std::map<std::string, std::string> ScrapeMetrics(const std::vector<std::string>& base_urls);

 private:
  net::Loop loop_;
  std::string url_;
  net::SocketAddress address_;
  std::string token_;
  uint64_t timeout_ms_;
};

// Control's message in an error answer: the JSON `error` field, else the body's first line.
std::string ErrorMessageOf(int status, const std::string& body);

}  // namespace cascade::tools
