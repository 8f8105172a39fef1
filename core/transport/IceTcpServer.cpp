#include "core/transport/IceTcpServer.hpp"

#include <algorithm>

namespace cascade::transport {
namespace {
constexpr uint64_t kSweepIntervalMs = 1000;
}  // namespace

IceTcpServer::IceTcpServer(net::Loop& loop, const net::SocketAddress& bind_address, Listener* listener,
                           Options options)
    : loop_(loop),
      listener_(listener),
      options_(options),
      sweep_timer_(loop, [this] { CloseUnbound(); }),
      tcp_server_(loop, bind_address,
                  [this](std::unique_ptr<net::TcpConnection> connection) { Accept(std::move(connection)); }) {
  hook_id_ = loop_.AddBeforePollHook([this] { DestroyClosed(); });
  sweep_timer_.Start(kSweepIntervalMs, kSweepIntervalMs);
}

IceTcpServer::~IceTcpServer() { loop_.RemoveBeforePollHook(hook_id_); }

void IceTcpServer::Accept(std::unique_ptr<net::TcpConnection> connection) {
  if (connections_.size() >= options_.max_connections) {
    ++stats_.refused;
    connection->Close();  // no listener yet: nothing is reported; freed when the shutdown completes
    return;
  }
  ++stats_.accepted;
  IceTcpConnection::Sink* owner = this;  // a private base: converted here, where it is accessible
  auto ice_connection = std::make_unique<IceTcpConnection>(std::move(connection), owner, options_.connection);
  connections_.push_back(Entry{std::move(ice_connection), loop_.clock().NowMs()});
}

void IceTcpServer::CloseUnbound() {
  const uint64_t now_ms = loop_.clock().NowMs();
  // Close() reports back into OnIceTcpConnectionClosed, which only marks: no entry moves here.
  for (auto& entry : connections_) {
    IceTcpConnection* connection = entry.connection.get();
    if (connection->closed() || connection->bound()) continue;
    if (now_ms - entry.accepted_ms < options_.unbound_timeout_ms) continue;
    ++stats_.unbound_timeouts;
    connection->Close();
  }
}

void IceTcpServer::DestroyClosed() {
  if (!have_closed_) return;
  have_closed_ = false;
  std::erase_if(connections_, [](const Entry& entry) { return entry.connection->closed(); });
}

void IceTcpServer::OnIceTcpPacket(IceTcpConnection* connection, std::span<uint8_t> packet) {
  listener_->OnIceTcpServerPacket(this, connection, packet);
}

void IceTcpServer::OnIceTcpConnectionClosed(IceTcpConnection* connection) {
  ++stats_.closed;
  if (auto error = connection->framing_error()) stats_.framing_errors.Inc(*error);
  have_closed_ = true;
  listener_->OnIceTcpServerConnectionClosed(this, connection);
}

}  // namespace cascade::transport
