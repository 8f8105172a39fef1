#pragma once
// One end of the control channel: size-prefixed FlatBuffers frames over a TCP stream.
// Every frame is verified; an oversized or unverifiable frame closes the connection with
// a logged reason and a counted error.
#include <memory>
#include <string>

#include "control/client/ControlCodec.hpp"
#include "control/client/ControlMessages.hpp"
#include "core/base/EnumCounters.hpp"
#include "core/channel/FrameReader.hpp"
#include "core/net/TcpConnection.hpp"

namespace cascade::control {

class ControlConnection : public net::TcpConnection::Listener {
 public:
  static constexpr size_t kMaxFrameBytes = 1 << 20;

  class Listener {
   public:
    virtual ~Listener() = default;
    // Must not destroy the connection; call Close() instead.
    virtual void OnControlConnectionMessage(ControlConnection* connection, ControlMessage& message) = 0;
    // The listener may destroy the connection here.
    virtual void OnControlConnectionClosed(ControlConnection* connection, const std::string& reason) = 0;
  };

  ControlConnection(std::unique_ptr<net::TcpConnection> tcp, Listener* listener,
                    base::EnumCounters<ControlDecodeError>* decode_errors);

  void Send(const ControlMessage& message);
  void Close(const std::string& reason);
  const net::SocketAddress& peer() const { return tcp_->peer(); }

  // Which node this connection belongs to, once its hello arrived (server side).
  std::string node_id;

  // net::TcpConnection::Listener
  void OnTcpConnectionData(net::TcpConnection* connection, std::span<const uint8_t> data) override;
  void OnTcpConnectionClosed(net::TcpConnection* connection) override;

 private:
  std::unique_ptr<net::TcpConnection> tcp_;
  Listener* listener_;                                     // passed by argument
  base::EnumCounters<ControlDecodeError>* decode_errors_;  // passed by argument, may be null
  channel::FrameReader reader_{kMaxFrameBytes};
  std::string close_reason_ = "peer closed";
  bool closing_ = false;
  bool in_data_callback_ = false;
};

}  // namespace cascade::control
