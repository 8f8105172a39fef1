#pragma once
// A tiny asynchronous HTTP/1.1 client for the load generator and the cascade tools:
// HttpClient opens one TCP connection per request (Connection: close); HttpConnection keeps
// one connection open and sends its requests on it back to back (keep-alive, pipelined),
// for benchmarks of the server rather than of connection setup. Responses are parsed with
// http-parser. Control path only.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/net/Loop.hpp"
#include "core/net/SocketAddress.hpp"

namespace cascade::loadgen {

struct HttpClientResponse {
  int status = 0;                                            // 0: no response (see error)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string error;
  std::string_view Header(std::string_view lower_name) const;
};

struct HttpClientRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class HttpClient {
 public:
  using Callback = std::function<void(const HttpClientResponse& response)>;

  HttpClient(net::Loop& loop, net::SocketAddress server);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request on a new connection; `callback` runs once, with the response or an error.
  void Send(HttpClientRequest request, Callback callback);
  size_t in_flight() const { return exchanges_.size(); }

  // Serialises a request as sent on the wire (for tests).
  static std::string Serialize(const HttpClientRequest& request, const std::string& host,
                               bool keep_alive = false);

 private:
  class Exchange;
  void Finish(Exchange* exchange);

  net::Loop& loop_;
  net::SocketAddress server_;
  std::map<Exchange*, std::unique_ptr<Exchange>> exchanges_;  // allocated by this
  // Finished exchanges, freed at the next Send() or with the client: one may still be on
  // the stack when it finishes.
  std::vector<std::unique_ptr<Exchange>> finished_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // expires with this
};

// One persistent connection: requests are written as they are sent (pipelined) and each
// callback runs once, in order, with its response or an error. An error (the server closed,
// a malformed response) fails every request in flight; the next Send reconnects. May be
// destroyed from inside a callback.
class HttpConnection {
 public:
  HttpConnection(net::Loop& loop, net::SocketAddress server);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void Send(HttpClientRequest request, HttpClient::Callback callback);
  size_t in_flight() const { return waiting_.size(); }

 private:
  class Wire;
  void Write(const std::string& wire);
  // Answers waiting requests in order with `done`; an error then fails the rest.
  void Deliver(const Wire* from, std::vector<HttpClientResponse> done, const std::string& error);

  net::Loop& loop_;
  net::SocketAddress server_;
  std::unique_ptr<Wire> wire_;                  // allocated by this; null: not connected
  std::vector<std::unique_ptr<Wire>> retired_;  // broken connections, freed later
  std::string unsent_;                          // written once connected
  std::deque<HttpClient::Callback> waiting_;    // one per request in flight, in order
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Parses "http://host:port[/...]" into an address; nullopt when it is not one.
std::optional<net::SocketAddress> ParseHttpUrl(std::string_view url);

// A redirect's Location against the URL `base` ("http://host:port") it came from: the
// server's base URL and the target (path and query, kept whole: it may carry a grant).
// A relative Location ("/whep/r") stays on `base`. nullopt: not http, or no path.
struct HttpLocation {
  std::string base;
  std::string target;
};
std::optional<HttpLocation> ResolveLocation(std::string_view location, std::string_view base);

}  // namespace cascade::loadgen
