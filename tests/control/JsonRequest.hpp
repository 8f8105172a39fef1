#pragma once
// One HTTP request to a server on `loop`, sent from a client thread while the loop runs (the
// server answers from the loop), with the reply's status and JSON body read back.
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/net/Loop.hpp"
#include "tests/RunLoop.hpp"
#include "tests/core/net/BlockingClient.hpp"

namespace cascade::test {

struct JsonReply {
  int status = 0;
  std::string raw;
  nlohmann::json json;  // discarded when the body is not JSON
};

// `headers`: extra header lines, each ending in \r\n.
inline JsonReply JsonRequest(net::Loop& loop, uint16_t port, const std::string& method,
                             const std::string& target, const std::string& body = "",
                             const std::string& headers = "") {
  const std::string raw =
      method + " " + target + " HTTP/1.1\r\nHost: control\r\nConnection: close\r\n" + headers +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string text;
  std::atomic<bool> done{false};
  std::thread client([&] {
    text = TcpExchange(port, raw, 8000);
    done = true;
  });
  RunUntil(
      loop, [&] { return done.load(); }, 10000);
  client.join();
  JsonReply reply;
  reply.raw = text;
  if (text.starts_with("HTTP/1.1 ") && text.size() >= 12) reply.status = std::stoi(text.substr(9, 3));
  if (auto body_at = text.find("\r\n\r\n"); body_at != std::string::npos) {
    reply.json = nlohmann::json::parse(text.substr(body_at + 4), nullptr, false);
  }
  return reply;
}

}  // namespace cascade::test
