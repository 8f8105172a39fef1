#include "tools/loadgen/HttpClient.hpp"

#include <http_parser.h>

#include <algorithm>
#include <cctype>
#include <deque>

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

std::string HttpClient::Serialize(const HttpClientRequest& request, const std::string& host,
                                  bool keep_alive) {
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\nHost: " + host +
                    (keep_alive ? "\r\n" : "\r\nConnection: close\r\n");
  for (const auto& [name, value] : request.headers) out += name + ": " + value + "\r\n";
  if (!request.body.empty() || request.method == "POST") {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += request.body;
  return out;
}

// Reads responses off one connection, one after another: a keep-alive connection carries
// many (RFC 9112 §9.3), each ended by its Content-Length (or by the connection's end).
class ResponseParser {
 public:
  ResponseParser() {
    http_parser_init(&parser_, HTTP_RESPONSE);
    parser_.data = this;
    http_parser_settings_init(&settings_);
    settings_.on_header_field = [](http_parser* p, const char* at, size_t n) {
      auto* self = Self(p);
      if (!self->in_field_) self->current_.headers.emplace_back();
      self->in_field_ = true;
      std::string& name = self->current_.headers.back().first;
      for (size_t i = 0; i < n; ++i)
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(at[i])));
      return 0;
    };
    settings_.on_header_value = [](http_parser* p, const char* at, size_t n) {
      auto* self = Self(p);
      self->in_field_ = false;
      if (!self->current_.headers.empty()) self->current_.headers.back().second.append(at, n);
      return 0;
    };
    settings_.on_body = [](http_parser* p, const char* at, size_t n) {
      Self(p)->current_.body.append(at, n);
      return 0;
    };
    settings_.on_message_complete = [](http_parser* p) {
      auto* self = Self(p);
      self->current_.status = static_cast<int>(p->status_code);
      self->in_field_ = false;
      self->complete_.push_back(std::move(self->current_));
      self->current_ = {};
      return 0;
    };
  }
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Appends every response `data` completes to `done`; false when the bytes are not HTTP.
  bool Feed(std::span<const uint8_t> data, std::vector<HttpClientResponse>& done) {
    size_t parsed =
        http_parser_execute(&parser_, &settings_, reinterpret_cast<const char*>(data.data()), data.size());
    Take(done);
    return parsed == data.size();
  }
  // The connection ended: a response without Content-Length ends with it.
  void FeedEnd(std::vector<HttpClientResponse>& done) {
    http_parser_execute(&parser_, &settings_, nullptr, 0);
    Take(done);
  }
  std::string Error() const {
    return std::string("malformed response: ") + http_errno_name(HTTP_PARSER_ERRNO(&parser_));
  }

 private:
  static ResponseParser* Self(http_parser* p) { return static_cast<ResponseParser*>(p->data); }
  void Take(std::vector<HttpClientResponse>& done) {
    for (auto& response : complete_) done.push_back(std::move(response));
    complete_.clear();
  }

  http_parser parser_{};
  http_parser_settings settings_{};
  HttpClientResponse current_;
  std::vector<HttpClientResponse> complete_;
  bool in_field_ = false;
};

// One request on its own connection.
class HttpClient::Exchange : public net::TcpConnection::Listener {
 public:
  Exchange(HttpClient* owner, Callback callback) : owner_(owner), callback_(std::move(callback)) {}

  void Connected(std::unique_ptr<net::TcpConnection> connection, const std::string& wire) {
    connection_ = std::move(connection);
    connection_->Start(this);
    connection_->Write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(wire.data()), wire.size()));
  }

  // Reports the outcome once; the owner destroys the exchange afterwards.
  void Complete(HttpClientResponse response) {
    if (done_) return;
    done_ = true;
    callback_(response);
    owner_->Finish(this);
  }
  void Fail(const std::string& error) {
    HttpClientResponse response;
    response.error = error;
    Complete(std::move(response));
  }

  void OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t> data) override {
    std::vector<HttpClientResponse> done;
    bool ok = parser_.Feed(data, done);
    if (!done.empty()) {
      Complete(std::move(done.front()));
    } else if (!ok) {
      Fail(parser_.Error());
    }
  }

  void OnTcpConnectionClosed(net::TcpConnection*) override {
    std::vector<HttpClientResponse> done;
    parser_.FeedEnd(done);
    if (!done.empty()) return Complete(std::move(done.front()));
    Fail("connection closed before a response");
  }

 private:
  HttpClient* owner_;  // passed by argument
  Callback callback_;
  std::unique_ptr<net::TcpConnection> connection_;
  ResponseParser parser_;
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
  // A connect may finish after this client is gone (the caller gave up on a slow node).
  std::weak_ptr<bool> alive = alive_;
  net::TcpConnection::Connect(
      loop_, server_, [this, alive, raw, wire](std::unique_ptr<net::TcpConnection> connection, int status) {
        if (alive.expired() || !exchanges_.contains(raw)) return;
        if (status != 0) {
          raw->Fail(std::string("connect failed: ") + uv_strerror(status));
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

class HttpConnection::Wire : public net::TcpConnection::Listener {
 public:
  explicit Wire(HttpConnection* owner) : owner_(owner) {}
  void OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t> data) override {
    std::vector<HttpClientResponse> done;
    bool ok = parser.Feed(data, done);
    owner_->Deliver(this, std::move(done), ok ? "" : parser.Error());
  }
  void OnTcpConnectionClosed(net::TcpConnection*) override {
    std::vector<HttpClientResponse> done;
    parser.FeedEnd(done);
    owner_->Deliver(this, std::move(done), "connection closed");
  }

  std::unique_ptr<net::TcpConnection> tcp;
  ResponseParser parser;

 private:
  HttpConnection* owner_;  // passed by argument
};

HttpConnection::HttpConnection(net::Loop& loop, net::SocketAddress server) : loop_(loop), server_(server) {}

HttpConnection::~HttpConnection() = default;

void HttpConnection::Send(HttpClientRequest request, HttpClient::Callback callback) {
  // The latest broken Wire may still be on the stack (a callback it triggered sends again).
  if (retired_.size() > 1) retired_.erase(retired_.begin(), retired_.end() - 1);
  std::string wire = HttpClient::Serialize(request, server_.ToString(), true);
  waiting_.push_back(std::move(callback));
  if (wire_ && wire_->tcp) {
    Write(wire);
    return;
  }
  unsent_ += wire;
  if (wire_) return;  // connecting
  wire_ = std::make_unique<Wire>(this);
  std::weak_ptr<bool> alive = alive_;
  const Wire* connecting = wire_.get();
  net::TcpConnection::Connect(
      loop_, server_, [this, alive, connecting](std::unique_ptr<net::TcpConnection> tcp, int status) {
        if (alive.expired() || wire_.get() != connecting) return;
        if (status != 0) {
          Deliver(connecting, {}, std::string("connect failed: ") + uv_strerror(status));
          return;
        }
        wire_->tcp = std::move(tcp);
        wire_->tcp->Start(wire_.get());
        Write(unsent_);
        unsent_.clear();
      });
}

void HttpConnection::Write(const std::string& wire) {
  wire_->tcp->Write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(wire.data()), wire.size()));
}

void HttpConnection::Deliver(const Wire* from, std::vector<HttpClientResponse> done,
                             const std::string& error) {
  // A retired connection's late news (its close after a malformed response) is not ours.
  if (from != wire_.get()) return;
  std::weak_ptr<bool> alive = alive_;
  for (auto& response : done) {
    if (waiting_.empty()) break;
    HttpClient::Callback callback = std::move(waiting_.front());
    waiting_.pop_front();
    callback(response);
    if (alive.expired()) return;  // the callback destroyed this connection
  }
  if (error.empty()) return;
  // The connection is unusable: every request still waiting fails, the next Send reconnects.
  // The Wire may be on the stack (its callback called us): it is freed later.
  if (wire_) retired_.push_back(std::move(wire_));
  unsent_.clear();
  std::deque<HttpClient::Callback> failed;
  failed.swap(waiting_);
  HttpClientResponse response;
  response.error = error;
  for (auto& callback : failed) {
    callback(response);
    if (alive.expired()) return;
  }
}

}  // namespace cascade::loadgen
