#pragma once
// HTTP/1.1 server on the node's loop, parsing with Node's http-parser (libhttp-parser-dev).
// Keep-alive, one request at a time per connection (later pipelined requests wait), size
// limits with clean 4xx answers, CORS for browser WHIP/WHEP clients, and errors thrown by
// handlers turned into responses in one place.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/base/Metrics.hpp"
#include "core/net/HttpRouter.hpp"
#include "core/net/Loop.hpp"
#include "core/net/TcpConnection.hpp"

namespace cascade::net {

class HttpServer {
 public:
  struct Options {
    size_t max_header_bytes = 16 * 1024;
    size_t max_body_bytes = 64 * 1024;
    size_t max_connections = 4096;
    std::string cors_allow_origin = "*";
  };

  // Throws std::system_error when the address cannot be bound.
  HttpServer(Loop& loop, const SocketAddress& bind_address, Options options);
  HttpServer(Loop& loop, const SocketAddress& bind_address) : HttpServer(loop, bind_address, Options{}) {}
  ~HttpServer();

  HttpRouter& router() { return router_; }
  const SocketAddress& local_address() const { return tcp_.local_address(); }
  void RegisterMetrics(base::MetricsRegistry& registry, const base::Labels& labels) const;

  class Connection;  // one per TCP connection, owned by this

 private:
  friend class Connection;
  void Dispatch(Connection* connection, HttpRequest& request);
  void Remove(Connection* connection);

  Loop& loop_;
  Options options_;
  HttpRouter router_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  TcpServer tcp_;
  uint64_t requests_total_ = 0;
  uint64_t client_errors_total_ = 0;
  uint64_t server_errors_total_ = 0;
};

}  // namespace cascade::net
