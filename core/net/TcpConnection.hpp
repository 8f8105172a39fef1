#pragma once
// A TCP connection on the loop. Owned by its user through std::unique_ptr; the libuv handle
// is allocated by this and freed in its close callback, so the object may be destroyed at
// any time, including from inside one of its own listener callbacks.
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/net/Loop.hpp"
#include "core/net/SocketAddress.hpp"

namespace cascade::net {

class TcpConnection {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // `data` is valid only during the call (the loop's thread reuses one read buffer).
    virtual void OnTcpConnectionData(TcpConnection* connection, std::span<const uint8_t> data) = 0;
    // The peer closed or the connection failed. The listener may destroy the connection here.
    virtual void OnTcpConnectionClosed(TcpConnection* connection) = 0;
  };

  using ConnectCallback = std::function<void(std::unique_ptr<TcpConnection> connection, int status)>;
  // Connects to `to`; the callback gets the connection (status 0) or a libuv error code.
  static void Connect(Loop& loop, const SocketAddress& to, ConnectCallback on_connected);

  // Adopts an initialised uv_tcp_t (from accept).
  explicit TcpConnection(uv_tcp_t* handle);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // Starts reading; data is delivered to the listener.
  void Start(Listener* listener);
  void Write(std::span<const uint8_t> data);
  // Closes after pending writes are flushed; the listener gets OnTcpConnectionClosed.
  void Close();
  bool closed() const { return closed_; }
  const SocketAddress& peer() const { return peer_; }
  size_t bytes_buffered_for_write() const;

 private:
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  void NotifyClosed();

  uv_tcp_t* handle_;              // allocated by this (or adopted), freed by its close callback
  Listener* listener_ = nullptr;  // passed by argument
  SocketAddress peer_;
  bool closed_ = false;
  bool shutting_down_ = false;
};

class TcpServer {
 public:
  using AcceptCallback = std::function<void(std::unique_ptr<TcpConnection> connection)>;
  // Throws std::system_error when the address cannot be bound.
  TcpServer(Loop& loop, const SocketAddress& bind_address, AcceptCallback on_accept);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  const SocketAddress& local_address() const { return local_address_; }

 private:
  static void OnConnection(uv_stream_t* server, int status);

  Loop& loop_;
  uv_tcp_t* handle_;  // allocated by this, freed by its close callback
  AcceptCallback on_accept_;
  SocketAddress local_address_;
};

}  // namespace cascade::net
