#include "control/client/ControlConnection.hpp"

#include "core/base/Log.hpp"

namespace cascade::control {

ControlConnection::ControlConnection(tls::TlsContext& context, std::unique_ptr<net::TcpConnection> tcp,
                                     std::optional<dtls::Fingerprint> expected_server, Listener* listener,
                                     base::EnumCounters<ControlDecodeError>* decode_errors)
    : listener_(listener), decode_errors_(decode_errors) {
  stream_ = std::make_unique<tls::TlsStream>(context, std::move(tcp), std::move(expected_server), this);
}

void ControlConnection::Send(const ControlMessage& message) {
  auto frame = EncodeControlMessage(message);
  stream_->Write(frame);
}

std::vector<uint8_t> ControlConnection::ChannelBinding() const {
  return stream_->ExportKeyingMaterial("EXPORTER-cascade-node-hello", 32);
}

void ControlConnection::Close(const std::string& reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  stream_->Close(reason);  // notifies OnTlsStreamClosed (deferred while inside its data callback)
}

void ControlConnection::OnTlsStreamConnected(tls::TlsStream*) { listener_->OnControlConnectionReady(this); }

void ControlConnection::OnTlsStreamData(tls::TlsStream*, std::span<const uint8_t> data) {
  if (closing_) return;
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
    LOG_WARN("control.connection_rejected", {"peer", stream_->peer().ToString()}, {"node", node_id},
             {"reason", failure});
    Close(failure);
  }
}

void ControlConnection::OnTlsStreamClosed(tls::TlsStream*, const std::string& reason) {
  listener_->OnControlConnectionClosed(this, closing_ ? close_reason_ : reason);  // may destroy this
}

}  // namespace cascade::control
