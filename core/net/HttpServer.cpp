#include "core/net/HttpServer.hpp"

#include <nlohmann/json.hpp>

#include <http_parser.h>

#include <cctype>

#include "core/base/Log.hpp"

namespace cascade::net {

class HttpServer::Connection : public TcpConnection::Listener {
 public:
  Connection(HttpServer* server, std::unique_ptr<TcpConnection> tcp) : server_(server), tcp_(std::move(tcp)) {
    http_parser_init(&parser_, HTTP_REQUEST);
    parser_.data = this;
    http_parser_settings_init(&settings_);
    settings_.on_message_begin = [](http_parser* p) { return Self(p)->OnMessageBegin(); };
    settings_.on_url = [](http_parser* p, const char* at, size_t n) { return Self(p)->OnUrl(at, n); };
    settings_.on_header_field = [](http_parser* p, const char* at, size_t n) {
      return Self(p)->OnHeaderField(at, n);
    };
    settings_.on_header_value = [](http_parser* p, const char* at, size_t n) {
      return Self(p)->OnHeaderValue(at, n);
    };
    settings_.on_headers_complete = [](http_parser* p) { return Self(p)->OnHeadersComplete(); };
    settings_.on_body = [](http_parser* p, const char* at, size_t n) { return Self(p)->OnBody(at, n); };
    settings_.on_message_complete = [](http_parser* p) { return Self(p)->OnMessageComplete(); };
    tcp_->Start(this);
  }

  void OnTcpConnectionData(TcpConnection*, std::span<const uint8_t> data) override {
    Feed(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  }

  void OnTcpConnectionClosed(TcpConnection*) override {
    *alive_ = false;
    server_->Remove(this);  // destroys this
  }

  void Respond(HttpResponse response) {
    if (!awaiting_response_ || tcp_->closed()) return;
    awaiting_response_ = false;
    ++server_->requests_total_;
    if (response.status >= 500) {
      ++server_->server_errors_total_;
    } else if (response.status >= 400) {
      ++server_->client_errors_total_;
    }
    AddCors(response);
    bool keep_alive = keep_alive_ && !close_after_response_;
    std::string wire = SerializeResponse(response, keep_alive);
    tcp_->Write({reinterpret_cast<const uint8_t*>(wire.data()), wire.size()});
    if (!keep_alive) close_requested_ = true;
    if (!in_feed_) Feed({});  // an asynchronous answer: go on with what arrived meanwhile
  }

 private:
  static Connection* Self(http_parser* p) { return static_cast<Connection*>(p->data); }

  // Parses buffered input one request at a time. Never re-entered: a handler that answers
  // synchronously (from inside the parser callback) only marks state that this loop reads.
  void Feed(std::string_view data) {
    pending_.append(data);
    if (in_feed_) return;
    in_feed_ = true;
    while (!pending_.empty() && !awaiting_response_ && !close_requested_) {
      if (HTTP_PARSER_ERRNO(&parser_) == HPE_PAUSED) http_parser_pause(&parser_, 0);
      size_t parsed = http_parser_execute(&parser_, &settings_, pending_.data(), pending_.size());
      pending_.erase(0, parsed);
      auto err = HTTP_PARSER_ERRNO(&parser_);
      if (rejected_status_ != 0) {
        Reject(rejected_status_, rejected_reason_);
        break;
      }
      if (err != HPE_OK && err != HPE_PAUSED) {
        Reject(400, std::string("malformed request: ") + http_errno_description(err));
        break;
      }
      if (err == HPE_OK) break;  // consumed everything, waiting for more bytes
    }
    in_feed_ = false;
    if (close_requested_) tcp_->Close();  // notifies OnTcpConnectionClosed, which destroys this
  }

  void Reject(int status, const std::string& reason) {
    LOG_DEBUG("http.rejected", {"status", status}, {"reason", reason}, {"peer", tcp_->peer().ToString()});
    awaiting_response_ = true;
    close_after_response_ = true;
    Respond(HttpResponse::Text(status, reason + "\n"));
  }

  void AddCors(HttpResponse& response) {
    const auto& origin = server_->options_.cors_allow_origin;
    if (origin.empty()) return;
    response.Set("Access-Control-Allow-Origin", origin);
    response.Set("Access-Control-Expose-Headers", "Location, Link, ETag, Accept-Patch, Content-Type");
  }

  int OnMessageBegin() {
    request_ = HttpRequest{};
    request_.peer = tcp_->peer();
    header_bytes_ = 0;
    last_was_value_ = false;
    return 0;
  }
  int OnUrl(const char* at, size_t n) {
    request_.target.append(at, n);
    return CountHeaderBytes(n);
  }
  int OnHeaderField(const char* at, size_t n) {
    if (last_was_value_ || request_.headers.empty()) request_.headers.emplace_back();
    last_was_value_ = false;
    for (size_t i = 0; i < n; ++i) request_.headers.back().first += static_cast<char>(std::tolower(at[i]));
    return CountHeaderBytes(n);
  }
  int OnHeaderValue(const char* at, size_t n) {
    last_was_value_ = true;
    if (request_.headers.empty()) return 0;
    request_.headers.back().second.append(at, n);
    return CountHeaderBytes(n);
  }
  int CountHeaderBytes(size_t n) {
    header_bytes_ += n;
    if (header_bytes_ > server_->options_.max_header_bytes) {
      rejected_status_ = 431;
      rejected_reason_ =
          "request headers larger than " + std::to_string(server_->options_.max_header_bytes) + " bytes";
      return 1;
    }
    return 0;
  }
  int OnHeadersComplete() {
    request_.method = http_method_str(static_cast<http_method>(parser_.method));
    if (parser_.content_length != ULLONG_MAX && parser_.content_length > server_->options_.max_body_bytes) {
      rejected_status_ = 413;
      rejected_reason_ =
          "request body larger than " + std::to_string(server_->options_.max_body_bytes) + " bytes";
      return -1;  // 1 would mean "no body" to http-parser
    }
    http_parser_url url;
    http_parser_url_init(&url);
    if (http_parser_parse_url(request_.target.data(), request_.target.size(), 0, &url) != 0) {
      rejected_status_ = 400;
      rejected_reason_ = "malformed request target";
      return -1;  // 1 would mean "no body" to http-parser
    }
    if (url.field_set & (1 << UF_PATH)) {
      request_.path = request_.target.substr(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
    }
    if (url.field_set & (1 << UF_QUERY)) {
      request_.query = request_.target.substr(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len);
    }
    return 0;
  }
  int OnBody(const char* at, size_t n) {
    if (request_.body.size() + n > server_->options_.max_body_bytes) {
      // Chunked bodies have no Content-Length to check up front.
      rejected_status_ = 413;
      rejected_reason_ =
          "request body larger than " + std::to_string(server_->options_.max_body_bytes) + " bytes";
      return 1;
    }
    request_.body.append(at, n);
    return 0;
  }
  int OnMessageComplete() {
    keep_alive_ = http_should_keep_alive(&parser_) != 0;
    awaiting_response_ = true;
    http_parser_pause(&parser_, 1);
    server_->Dispatch(this, request_);
    return 0;
  }

  friend class HttpServer;
  HttpServer* server_;  // owner
  std::unique_ptr<TcpConnection> tcp_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  http_parser parser_{};
  http_parser_settings settings_{};
  HttpRequest request_;
  std::string pending_;
  size_t header_bytes_ = 0;
  bool last_was_value_ = false;
  bool awaiting_response_ = false;
  bool keep_alive_ = true;
  bool close_after_response_ = false;
  bool close_requested_ = false;
  bool in_feed_ = false;
  int rejected_status_ = 0;
  std::string rejected_reason_;
};

HttpServer::HttpServer(Loop& loop, const SocketAddress& bind_address, Options options)
    : loop_(loop),
      options_(std::move(options)),
      tcp_(loop, bind_address, [this](std::unique_ptr<TcpConnection> tcp) {
        if (connections_.size() >= options_.max_connections) return;  // dropping it closes it
        auto connection = std::make_unique<Connection>(this, std::move(tcp));
        auto* raw = connection.get();
        connections_.emplace(raw, std::move(connection));
      }) {}

HttpServer::~HttpServer() = default;

namespace {

// What a refused request gets: JSON {"ok":false,"error":...} on the JSON API (/api/...),
// plain text elsewhere (WHIP/WHEP clients, pages).
HttpResponse ErrorFor(const HttpRequest& request, int status, const std::string& message) {
  if (request.path.starts_with("/api/")) {
    return HttpResponse::Json(status, nlohmann::json{{"ok", false}, {"error", message}}.dump());
  }
  return HttpResponse::Text(status, message + "\n");
}

}  // namespace

void HttpServer::Remove(Connection* connection) { connections_.erase(connection); }

void HttpServer::Dispatch(Connection* connection, HttpRequest& request) {
  std::weak_ptr<bool> alive = connection->alive_;
  HttpRespond respond = [connection, alive](HttpResponse response) {
    auto still = alive.lock();
    if (!still || !*still) return;
    connection->Respond(std::move(response));
  };
  auto match = router_.Find(request.method, request.path);
  if (!match.handler) {
    if (match.allowed_methods.empty()) {
      respond(ErrorFor(request, 404, "no such resource: " + request.path));
    } else if (request.method == "OPTIONS") {
      // CORS preflight for any route that has no OPTIONS handler of its own.
      std::string methods = "OPTIONS";
      for (const auto& m : match.allowed_methods) methods += ", " + m;
      HttpResponse preflight;
      preflight.status = 204;
      preflight.Set("Access-Control-Allow-Methods", methods)
          .Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match")
          .Set("Access-Control-Max-Age", "86400")
          .Set("Allow", methods);
      respond(std::move(preflight));
    } else {
      std::string methods;
      for (const auto& m : match.allowed_methods) methods += (methods.empty() ? "" : ", ") + m;
      respond(ErrorFor(request, 405, request.method + " not allowed here").Set("Allow", methods));
    }
    return;
  }
  request.params = std::move(match.params);
  try {
    if (match.guard) {
      if (auto refusal = (*match.guard)(request)) return respond(std::move(*refusal));
    }
    (*match.handler)(request, respond);
  } catch (const HttpError& error) {
    respond(ErrorFor(request, error.status(), error.what()));
  } catch (const std::exception& error) {
    LOG_ERROR("http.handler_failed", {"path", request.path}, {"error", error.what()});
    respond(ErrorFor(request, 500, "internal error"));
  }
}

void HttpServer::RegisterMetrics(base::MetricsRegistry& registry, const base::Labels& labels) const {
  registry.AddCallback("cascade_http_requests_total", "HTTP requests answered", true, labels,
                       [this] { return static_cast<double>(requests_total_); });
  registry.AddCallback("cascade_http_client_errors_total", "HTTP 4xx answers", true, labels,
                       [this] { return static_cast<double>(client_errors_total_); });
  registry.AddCallback("cascade_http_server_errors_total", "HTTP 5xx answers", true, labels,
                       [this] { return static_cast<double>(server_errors_total_); });
  registry.AddCallback("cascade_http_connections", "open HTTP connections", false, labels,
                       [this] { return static_cast<double>(connections_.size()); });
}

}  // namespace cascade::net
