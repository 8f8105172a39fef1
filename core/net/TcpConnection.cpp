#include "core/net/TcpConnection.hpp"

#include <cstring>
#include <system_error>

namespace cascade::net {
namespace {

constexpr size_t kReadBufferBytes = 64 * 1024;

// One read buffer per thread, not per connection: libuv hands it back to OnRead before the
// next read on this loop, and listeners consume (or copy) the data inside their callback.
// A 64 KiB buffer per connection was the largest single cost of an idle viewer (its
// keep-alive WHEP connection): 21 MB of the edge's heap at 300 viewers.
char* ThreadReadBuffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kReadBufferBytes]);
  return buffer.get();
}

void CloseAndFree(uv_tcp_t* handle) {
  handle->data = nullptr;
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(handle))) return;
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
}

struct WriteRequest {
  uv_write_t request;
  std::vector<uint8_t> data;
};

struct ConnectRequest {
  uv_connect_t request;
  uv_tcp_t* handle;
  TcpConnection::ConnectCallback callback;
};

}  // namespace

void TcpConnection::Connect(Loop& loop, const SocketAddress& to, ConnectCallback on_connected) {
  auto* handle = new uv_tcp_t;
  uv_tcp_init(loop.raw(), handle);
  handle->data = nullptr;
  auto* request = new ConnectRequest{{}, handle, std::move(on_connected)};
  request->request.data = request;
  int rc = uv_tcp_connect(&request->request, handle, to.raw(), [](uv_connect_t* req, int status) {
    auto* connect = static_cast<ConnectRequest*>(req->data);
    if (status != 0) {
      CloseAndFree(connect->handle);
      connect->callback(nullptr, status);
    } else {
      connect->callback(std::make_unique<TcpConnection>(connect->handle), 0);
    }
    delete connect;
  });
  if (rc != 0) {
    CloseAndFree(handle);
    auto callback = std::move(request->callback);
    delete request;
    callback(nullptr, rc);
  }
}

TcpConnection::TcpConnection(uv_tcp_t* handle) : handle_(handle) {
  handle_->data = this;
  uv_tcp_nodelay(handle_, 1);
  sockaddr_storage addr{};
  int len = sizeof(addr);
  if (uv_tcp_getpeername(handle_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    if (auto parsed = SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&addr))) peer_ = *parsed;
  }
}

TcpConnection::~TcpConnection() {
  if (handle_ == nullptr) return;
  if (shutting_down_) {
    handle_->data = nullptr;  // the shutdown callback frees it
    return;
  }
  CloseAndFree(handle_);
}

void TcpConnection::Start(Listener* listener) {
  listener_ = listener;
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(handle_),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* self = static_cast<TcpConnection*>(h->data);
        if (!self) {
          *buf = uv_buf_init(nullptr, 0);
          return;
        }
        *buf = uv_buf_init(ThreadReadBuffer(), static_cast<unsigned>(kReadBufferBytes));
      },
      &TcpConnection::OnRead);
}

void TcpConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<TcpConnection*>(stream->data);
  if (!self) return;
  if (nread < 0) {
    self->NotifyClosed();
    return;
  }
  if (nread > 0 && self->listener_) {
    self->listener_->OnTcpConnectionData(
        self, {reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(nread)});
  }
}

void TcpConnection::NotifyClosed() {
  if (closed_) return;
  closed_ = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(handle_));
  if (listener_) listener_->OnTcpConnectionClosed(this);  // may delete this
}

void TcpConnection::Write(std::span<const uint8_t> data) {
  if (closed_ || data.empty()) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(handle_);
  // Try the write synchronously first; only what the kernel did not take is copied.
  uv_buf_t direct = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(data.data())),
                                static_cast<unsigned>(data.size()));
  int written = uv_stream_get_write_queue_size(stream) == 0 ? uv_try_write(stream, &direct, 1) : UV_EAGAIN;
  if (written == static_cast<int>(data.size())) return;
  if (written < 0 && written != UV_EAGAIN) {
    NotifyClosed();
    return;
  }
  size_t offset = written > 0 ? static_cast<size_t>(written) : 0;
  auto* request =
      new WriteRequest{{}, std::vector<uint8_t>(data.begin() + static_cast<long>(offset), data.end())};
  uv_buf_t buf =
      uv_buf_init(reinterpret_cast<char*>(request->data.data()), static_cast<unsigned>(request->data.size()));
  request->request.data = request;
  uv_write(&request->request, stream, &buf, 1,
           [](uv_write_t* req, int) { delete static_cast<WriteRequest*>(req->data); });
}

size_t TcpConnection::bytes_buffered_for_write() const {
  if (handle_ == nullptr) return 0;
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(handle_));
}

void TcpConnection::Close() {
  if (closed_) return;
  closed_ = true;
  shutting_down_ = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(handle_));
  // Shut down after queued writes are flushed; the shutdown callback then closes and frees
  // the handle, whether or not this object still exists.
  auto* req = new uv_shutdown_t;
  req->data = handle_;
  int rc = uv_shutdown(req, reinterpret_cast<uv_stream_t*>(handle_), [](uv_shutdown_t* r, int) {
    auto* h = static_cast<uv_tcp_t*>(r->data);
    delete r;
    if (auto* owner = static_cast<TcpConnection*>(h->data)) owner->handle_ = nullptr;
    CloseAndFree(h);
  });
  if (rc != 0) {
    delete req;
    shutting_down_ = false;
  }
  if (listener_) listener_->OnTcpConnectionClosed(this);  // may delete this
}

TcpServer::TcpServer(Loop& loop, const SocketAddress& bind_address, AcceptCallback on_accept)
    : loop_(loop), handle_(new uv_tcp_t), on_accept_(std::move(on_accept)) {
  uv_tcp_init(loop_.raw(), handle_);
  handle_->data = this;
  int rc = uv_tcp_bind(handle_, bind_address.raw(), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(handle_), 256, &TcpServer::OnConnection);
  if (rc != 0) {
    CloseAndFree(handle_);
    throw std::system_error(-rc, std::generic_category(), "tcp listen " + bind_address.ToString());
  }
  sockaddr_storage addr{};
  int len = sizeof(addr);
  uv_tcp_getsockname(handle_, reinterpret_cast<sockaddr*>(&addr), &len);
  local_address_ = *SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&addr));
}

TcpServer::~TcpServer() { CloseAndFree(handle_); }

void TcpServer::OnConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<TcpServer*>(server->data);
  if (!self || status != 0) return;
  auto* client = new uv_tcp_t;
  uv_tcp_init(self->loop_.raw(), client);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(client)) != 0) {
    CloseAndFree(client);
    return;
  }
  self->on_accept_(std::make_unique<TcpConnection>(client));
}

}  // namespace cascade::net
