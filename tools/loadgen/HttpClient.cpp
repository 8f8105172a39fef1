#include "tools/loadgen/HttpClient.hpp"

#include <http_parser.h>

#include <algorithm>
#include <cctype>

#include "core/net/TcpConnection.hpp"

namespace cascade::loadgen {

std::string_view HttpClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::optional<net::SocketAddress> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  url = url.substr(0, url.find('/'));
  if (url.starts_with("localhost:"))
    return net::SocketAddress::ParseHostPort("127.0.0.1" + std::string(url.substr(9)));
  return net::SocketAddress::ParseHostPort(url);
}

std::optional<HttpLocation> ResolveLocation(std::string_view location, std::string_view base) {
  if (location.starts_with("/")) return HttpLocation{std::string(base), std::string(location)};
  if (!ParseHttpUrl(location)) return std::nullopt;
  size_t path = location.find('/', std::string_view("http://").size());
  if (path == std::string_view::npos) return std::nullopt;
  return HttpLocation{std::string(location.substr(0, path)), std::string(location.substr(path))};
}

std::string HttpClient::Serialize(const HttpClientRequest& request, const std::string& host) {
  std::string out =
      request.method + " " + request.target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : request.headers) out += name + ": " + value + "\r\n";
  if (!request.body.empty() || request.method == "POST") {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += request.body;
  return out;
}

// One request on its own connection.
class HttpClient::Exchange : public net::TcpConnection::Listener {
 public:
  Exchange(HttpClient* owner, Callback callback) : owner_(owner), callback_(std::move(callback)) {
    http_parser_init(&parser_, HTTP_RESPONSE);
    parser_.data = this;
    http_parser_settings_init(&settings_);
    settings_.on_header_field = [](http_parser* p, const char* at, size_t n) {
      auto* self = Self(p);
      if (!self->in_field_) self->response_.headers.emplace_back();
      self->in_field_ = true;
      std::string& name = self->response_.headers.back().first;
      for (size_t i = 0; i < n; ++i)
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(at[i])));
      return 0;
    };
    settings_.on_header_value = [](http_parser* p, const char* at, size_t n) {
      auto* self = Self(p);
      self->in_field_ = false;
      if (!self->response_.headers.empty()) self->response_.headers.back().second.append(at, n);
      return 0;
    };
    settings_.on_body = [](http_parser* p, const char* at, size_t n) {
      Self(p)->response_.body.append(at, n);
      return 0;
    };
    settings_.on_message_complete = [](http_parser* p) {
      auto* self = Self(p);
      self->response_.status = static_cast<int>(p->status_code);
      self->complete_ = true;
      return 0;
    };
  }

  void Connected(std::unique_ptr<net::TcpConnection> connection, const std::string& wire) {
    connection_ = std::move(connection);
    connection_->Start(this);
    connection_->Write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(wire.data()), wire.size()));
  }

  // Reports the outcome once; the owner destroys the exchange afterwards.
  void Complete(const std::string& error) {
    if (done_) return;
    done_ = true;
    if (!complete_) {
      response_.status = 0;
      response_.error = error;
    }
    callback_(response_);
    owner_->Finish(this);
  }

  void OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t> data) override {
    size_t parsed =
        http_parser_execute(&parser_, &settings_, reinterpret_cast<const char*>(data.data()), data.size());
    if (complete_) {
      Complete("");
    } else if (parsed != data.size()) {
      Complete(std::string("malformed response: ") + http_errno_name(HTTP_PARSER_ERRNO(&parser_)));
    }
  }

  void OnTcpConnectionClosed(net::TcpConnection*) override {
    // A response without Content-Length ends with the connection.
    if (!complete_) http_parser_execute(&parser_, &settings_, nullptr, 0);
    Complete("connection closed before a response");
  }

 private:
  static Exchange* Self(http_parser* p) { return static_cast<Exchange*>(p->data); }

  HttpClient* owner_;  // passed by argument
  Callback callback_;
  std::unique_ptr<net::TcpConnection> connection_;
  http_parser parser_{};
  http_parser_settings settings_{};
  HttpClientResponse response_;
  bool in_field_ = false;
  bool complete_ = false;
  bool done_ = false;
};

HttpClient::HttpClient(net::Loop& loop, net::SocketAddress server) : loop_(loop), server_(server) {}

HttpClient::~HttpClient() = default;

void HttpClient::Send(HttpClientRequest request, Callback callback) {
  finished_.clear();  // no finished exchange is on the stack when a new request starts
  auto exchange = std::make_unique<Exchange>(this, std::move(callback));
  Exchange* raw = exchange.get();
  exchanges_[raw] = std::move(exchange);
  std::string wire = Serialize(request, server_.ToString());
  net::TcpConnection::Connect(loop_, server_,
                              [this, raw, wire](std::unique_ptr<net::TcpConnection> connection, int status) {
                                if (!exchanges_.contains(raw)) return;
                                if (status != 0) {
                                  raw->Complete(std::string("connect failed: ") + uv_strerror(status));
                                  return;
                                }
                                raw->Connected(std::move(connection), wire);
                              });
}

void HttpClient::Finish(Exchange* exchange) {
  auto it = exchanges_.find(exchange);
  if (it == exchanges_.end()) return;
  finished_.push_back(std::move(it->second));
  exchanges_.erase(it);
}

}  // namespace cascade::loadgen
