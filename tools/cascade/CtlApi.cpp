#include "tools/cascade/CtlApi.hpp"

#include <memory>

#include "core/net/Timer.hpp"
#include "tools/loadgen/HttpClient.hpp"

namespace cascade::tools {

std::string ErrorMessageOf(int status, const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  std::string message;
  if (json.is_object() && json.contains("error") && json["error"].is_string()) {
    message = json["error"].get<std::string>();
  } else {
    message = body.substr(0, body.find('\n'));
  }
  return "control answered " + std::to_string(status) + (message.empty() ? "" : ": " + message);
}

ControlApi::ControlApi(const std::string& control_url, std::string token, uint64_t timeout_ms)
    : url_(control_url), token_(std::move(token)), timeout_ms_(timeout_ms) {
  auto address = loadgen::ParseHttpUrl(control_url);
  if (!address) throw CtlError("--control: expected http://host:port, got \"" + control_url + "\"");
  address_ = *address;
}

nlohmann::json ControlApi::Get(const std::string& target) {
  loadgen::HttpClient client(loop_, address_);
  loadgen::HttpClientRequest request;
  request.target = target;
  if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
  std::optional<loadgen::HttpClientResponse> answer;
  client.Send(std::move(request), [&](const loadgen::HttpClientResponse& response) {
    answer = response;
    loop_.Stop();
  });
  net::Timer timer(loop_, [this] { loop_.Stop(); });
  timer.Start(timeout_ms_);
  loop_.Run();
  if (!answer) throw CtlError("control at " + url_ + " did not answer GET " + target + " in time");
  if (answer->status == 0) throw CtlError("control at " + url_ + ": " + answer->error);
  if (answer->status < 200 || answer->status > 299)
    throw CtlError(ErrorMessageOf(answer->status, answer->body));
  auto json = nlohmann::json::parse(answer->body, nullptr, false);
  if (json.is_discarded())
    throw CtlError("control answered GET " + target + " with something that is not JSON");
  if (json.is_object() && json.contains("ok") && json["ok"] == false)
    throw CtlError(ErrorMessageOf(answer->status, answer->body));
  return json;
}

std::map<std::string, std::string> ControlApi::ScrapeMetrics(const std::vector<std::string>& base_urls) {
  std::map<std::string, std::string> bodies;
  std::vector<std::unique_ptr<loadgen::HttpClient>> clients;
  size_t waiting = 0;
  for (const auto& url : base_urls) {
    auto address = loadgen::ParseHttpUrl(url);
    if (!address) continue;
    clients.push_back(std::make_unique<loadgen::HttpClient>(loop_, *address));
    loadgen::HttpClientRequest request;
    request.target = "/metrics";
    ++waiting;
    clients.back()->Send(std::move(request), [&, url](const loadgen::HttpClientResponse& response) {
      if (response.status == 200) bodies[url] = response.body;
      if (--waiting == 0) loop_.Stop();
    });
  }
  if (waiting == 0) return bodies;
  net::Timer timer(loop_, [this] { loop_.Stop(); });
  timer.Start(timeout_ms_);
  loop_.Run();
  return bodies;
}

}  // namespace cascade::tools
