#include "core/transport/IceTcpConnection.hpp"

#include <algorithm>
#include <cstring>

#include "core/base/Bytes.hpp"

namespace cascade::transport {

IceTcpConnection::IceTcpConnection(std::unique_ptr<net::TcpConnection> connection, Sink* owner,
                                   Options options)
    : tcp_(std::move(connection)),
      owner_(owner),
      options_(options),
      framer_(this, std::min<size_t>(options.max_frame_size, 0xFFFF)),
      receive_buffer_(std::min<size_t>(options.max_frame_size, 0xFFFF)),
      send_buffer_(ice::IceTcpFramer::kLengthPrefixSize + kMaxPacket) {
  tcp_->Start(this);
}

IceTcpConnection::~IceTcpConnection() {
  if (!notified_closed_ && bound_) bound_->OnIceTcpConnectionClosed(this);
}

bool IceTcpConnection::Bind(Sink* sink) {
  if (closed_ || (bound_ && bound_ != sink)) return false;
  bound_ = sink;
  return true;
}

void IceTcpConnection::Unbind(Sink* sink) {
  if (bound_ == sink) bound_ = nullptr;
}

void IceTcpConnection::Close() {
  if (closed_) return;
  tcp_->Close();   // reports OnTcpConnectionClosed, which notifies the sinks
  NotifyClosed();  // in case it did not (already closed underneath)
}

std::span<uint8_t> IceTcpConnection::PrepareSend() {
  if (closed_ || tcp_->bytes_buffered_for_write() > options_.max_write_backlog) return {};
  return std::span<uint8_t>(send_buffer_).subspan(ice::IceTcpFramer::kLengthPrefixSize);
}

void IceTcpConnection::CommitSend(size_t length) {
  if (closed_ || length > kMaxPacket) return;
  // RFC 4571 §2: the 16-bit length goes right before the packet, already in place.
  base::StoreBe16(send_buffer_.data(), static_cast<uint16_t>(length));
  ++packets_sent_;
  // TcpConnection writes synchronously and copies only what the kernel did not take. A write
  // error closes the connection from inside this call.
  tcp_->Write(std::span<const uint8_t>(send_buffer_.data(), ice::IceTcpFramer::kLengthPrefixSize + length));
}

void IceTcpConnection::OnTcpConnectionData(net::TcpConnection*, std::span<const uint8_t> data) {
  if (closed_) return;
  auto result = framer_.Feed(data);
  if (!result.ok() && !closed_) {
    // The framing is lost for good (RFC 4571 has no resynchronisation): only this
    // connection goes.
    framing_error_ = result.error();
    Close();
  }
}

void IceTcpConnection::OnIceTcpFramerFrame(ice::IceTcpFramer*, std::span<const uint8_t> frame) {
  // A sink may close the connection while the rest of the chunk is still being framed.
  if (closed_ || frame.size() > receive_buffer_.size()) return;
  std::memcpy(receive_buffer_.data(), frame.data(), frame.size());
  ++packets_received_;
  Sink* sink = bound_ ? bound_ : owner_;
  sink->OnIceTcpPacket(this, std::span<uint8_t>(receive_buffer_.data(), frame.size()));
}

void IceTcpConnection::OnTcpConnectionClosed(net::TcpConnection*) { NotifyClosed(); }

void IceTcpConnection::NotifyClosed() {
  closed_ = true;
  if (notified_closed_) return;
  notified_closed_ = true;
  // The transport first, so it stops sending here before the owner schedules destruction.
  if (bound_) bound_->OnIceTcpConnectionClosed(this);
  owner_->OnIceTcpConnectionClosed(this);
}

}  // namespace cascade::transport
