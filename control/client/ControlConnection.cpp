#include "control/client/ControlConnection.hpp"

#include "core/base/Log.hpp"

namespace cascade::control {

ControlConnection::ControlConnection(std::unique_ptr<net::TcpConnection> tcp, Listener* listener,
                                     base::EnumCounters<ControlDecodeError>* decode_errors)
    : tcp_(std::move(tcp)), listener_(listener), decode_errors_(decode_errors) {
  tcp_->Start(this);
}

void ControlConnection::Send(const ControlMessage& message) {
  auto frame = EncodeControlMessage(message);
  tcp_->Write(frame);
}

void ControlConnection::Close(const std::string& reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  // Inside a data callback the frame reader is still running: close once it returns.
  if (!in_data_callback_) tcp_->Close();  // notifies OnTcpConnectionClosed
}

void ControlConnection::OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t> data) {
  if (closing_) return;
  in_data_callback_ = true;
  std::string failure;
  auto error = reader_.Feed(data, [&](std::span<const uint8_t> frame) {
    if (!failure.empty() || closing_) return;
    auto decoded = DecodeControlMessage(frame);
    if (!decoded.ok()) {
      if (decode_errors_) decode_errors_->Inc(decoded.error());
      failure = std::string("control frame rejected: ") + ToString(decoded.error());
      return;
    }
    listener_->OnControlConnectionMessage(this, *decoded);
  });
  if (error != channel::FrameError::kNone)
    failure = std::string("control stream rejected: ") + channel::ToString(error);
  if (!failure.empty()) {
    LOG_WARN("control.connection_rejected", {"peer", tcp_->peer().ToString()}, {"node", node_id},
             {"reason", failure});
    Close(failure);
  }
  in_data_callback_ = false;
  if (closing_) tcp_->Close();  // notifies OnTcpConnectionClosed, which may destroy this
}

void ControlConnection::OnTcpConnectionClosed(net::TcpConnection*) {
  listener_->OnControlConnectionClosed(this, close_reason_);  // may destroy this
}

}  // namespace cascade::control
