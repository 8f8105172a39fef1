#pragma once
// One end of the control channel: size-prefixed FlatBuffers frames over TLS.
// Every frame is verified; an oversized or unverifiable frame closes the connection with
// a logged reason and a counted error.
#include <memory>
#include <string>

#include "control/client/ControlCodec.hpp"
#include "control/client/ControlMessages.hpp"
#include "core/base/EnumCounters.hpp"
#include "core/channel/FrameReader.hpp"
#include "core/tls/TlsStream.hpp"

namespace cascade::control {

class ControlConnection : public tls::TlsStream::Listener {
 public:
  static constexpr size_t kMaxFrameBytes = 1 << 20;

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnControlConnectionReady(ControlConnection* /*connection*/) {}
    // Must not destroy the connection; call Close() instead.
    virtual void OnControlConnectionMessage(ControlConnection* connection, ControlMessage& message) = 0;
    // The listener may destroy the connection here.
    virtual void OnControlConnectionClosed(ControlConnection* connection, const std::string& reason) = 0;
  };

  // Takes the TCP connection and runs TLS over it: as the server with `context` from
  // TlsContext::Server, or as a client pinning `expected_server`.
  ControlConnection(tls::TlsContext& context, std::unique_ptr<net::TcpConnection> tcp,
                    std::optional<dtls::Fingerprint> expected_server, Listener* listener,
                    base::EnumCounters<ControlDecodeError>* decode_errors);

  void Send(const ControlMessage& message);
  void Close(const std::string& reason);
  const net::SocketAddress& peer() const { return stream_->peer(); }
  // Bytes only the two ends of this TLS session know (empty before it is up): what a
  // NodeHelloProof is bound to.
  std::vector<uint8_t> ChannelBinding() const;

  // Which node this connection belongs to, once its hello arrived (server side).
  std::string node_id;

  // tls::TlsStream::Listener
  void OnTlsStreamConnected(tls::TlsStream* stream) override;
  void OnTlsStreamData(tls::TlsStream* stream, std::span<const uint8_t> data) override;
  void OnTlsStreamClosed(tls::TlsStream* stream, const std::string& reason) override;

 private:
  std::unique_ptr<tls::TlsStream> stream_;
  Listener* listener_;                                     // passed by argument
  base::EnumCounters<ControlDecodeError>* decode_errors_;  // passed by argument, may be null
  channel::FrameReader reader_{kMaxFrameBytes};
  std::string close_reason_ = "peer closed";
  bool closing_ = false;
};

}  // namespace cascade::control
