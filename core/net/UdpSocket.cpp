#include "core/net/UdpSocket.hpp"

#include <fcntl.h>
#include <netinet/udp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/base/Log.hpp"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace cascade::net {

UdpSocket::UdpSocket(Loop& loop, Listener* listener, const SocketAddress& bind_address, Options options)
    : loop_(loop),
      listener_(listener),
      options_(options),
      receive_storage_(kBatch * kMaxDatagram),
      send_storage_(options.send_queue_datagrams * kMaxDatagram),
      slots_(options.send_queue_datagrams),
      send_iovecs_(options.send_queue_datagrams) {
  fd_ = socket(bind_address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "udp socket");
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options_.socket_buffer_bytes, sizeof(int));
  setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &options_.socket_buffer_bytes, sizeof(int));
  if (bind(fd_, bind_address.raw(), bind_address.length()) != 0) {
    int err = errno;
    close(fd_);
    throw std::system_error(err, std::generic_category(), "udp bind " + bind_address.ToString());
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof(bound);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  local_address_ = *SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&bound));

  if (options_.enable_gso) {
    // Kernels before 4.18 do not know UDP_SEGMENT; probing with getsockopt tells us cleanly.
    int segment = 0;
    socklen_t len = sizeof(segment);
    gso_enabled_ = getsockopt(fd_, SOL_UDP, UDP_SEGMENT, &segment, &len) == 0;
  }

  for (size_t i = 0; i < kBatch; ++i) {
    receive_iovecs_[i] = {receive_storage_.data() + i * kMaxDatagram, kMaxDatagram};
  }

  poll_ = new uv_poll_t;
  uv_poll_init_socket(loop_.raw(), poll_, fd_);
  poll_->data = this;
  uv_poll_start(poll_, UV_READABLE, &UdpSocket::OnPoll);
  hook_id_ = loop_.AddBeforePollHook([this] { Flush(); });
}

UdpSocket::~UdpSocket() {
  loop_.RemoveBeforePollHook(hook_id_);
  poll_->data = nullptr;
  uv_poll_stop(poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(poll_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
  close(fd_);
}

void UdpSocket::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<UdpSocket*>(handle->data);
  if (!self || status < 0) return;
  if (events & UV_WRITABLE) {
    self->waiting_writable_ = false;
    self->Flush();
  }
  if (events & UV_READABLE) self->ReceiveBatches();
}

void UdpSocket::ReceiveBatches() {
  // Bounded so that one busy socket cannot starve the rest of the loop.
  for (int round = 0; round < 16; ++round) {
    for (size_t i = 0; i < kBatch; ++i) {
      auto& hdr = receive_headers_[i].msg_hdr;
      hdr.msg_name = &receive_addresses_[i];
      hdr.msg_namelen = sizeof(sockaddr_storage);
      hdr.msg_iov = &receive_iovecs_[i];
      hdr.msg_iovlen = 1;
      hdr.msg_control = nullptr;
      hdr.msg_controllen = 0;
      hdr.msg_flags = 0;
    }
    int n = recvmmsg(fd_, receive_headers_.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    ++stats_.receive_syscalls;
    for (int i = 0; i < n; ++i) {
      const auto& msg = receive_headers_[i];
      if (msg.msg_hdr.msg_flags & MSG_TRUNC) {
        ++stats_.datagrams_truncated;
        continue;
      }
      auto from = SocketAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&receive_addresses_[i]));
      if (!from) continue;
      ++stats_.datagrams_received;
      stats_.bytes_received += msg.msg_len;
      listener_->OnUdpSocketPacket(this, {receive_storage_.data() + i * kMaxDatagram, msg.msg_len}, *from);
    }
    if (static_cast<size_t>(n) < kBatch) return;
  }
}

std::span<uint8_t> UdpSocket::PrepareSend() {
  if (queued_ == slots_.size()) {
    // Make room rather than drop when the loop has not had a chance to flush yet.
    Flush();
    if (queued_ == slots_.size()) {
      ++stats_.send_queue_drops;
      return {};
    }
  }
  size_t index = (head_ + queued_) % slots_.size();
  return {SlotData(index), kMaxDatagram};
}

void UdpSocket::CommitSend(size_t length, const SocketAddress& to) {
  size_t index = (head_ + queued_) % slots_.size();
  slots_[index].to = to;
  slots_[index].length = static_cast<uint16_t>(length);
  ++queued_;
  if (queued_ >= kBatch * 4) Flush();
}

bool UdpSocket::Send(std::span<const uint8_t> data, const SocketAddress& to) {
  if (data.size() > kMaxDatagram) {
    ++stats_.send_errors;
    return false;
  }
  auto slot = PrepareSend();
  if (slot.empty()) return false;
  std::memcpy(slot.data(), data.data(), data.size());
  CommitSend(data.size(), to);
  return true;
}

void UdpSocket::Flush() {
  while (queued_ > 0 && !waiting_writable_) {
    if (!SendOneBatch()) break;
  }
}

bool UdpSocket::SendOneBatch() {
  size_t messages = 0;
  size_t cursor = 0;  // slots consumed from the head while building this batch
  while (messages < kBatch && cursor < queued_) {
    size_t first = (head_ + cursor) % slots_.size();
    const Slot& lead = slots_[first];
    // A GSO run: same destination, same size, except that the last may be shorter.
    size_t run = 1;
    size_t bytes = lead.length;
    if (gso_enabled_) {
      while (cursor + run < queued_ && run < kMaxGsoSegments) {
        const Slot& next = slots_[(first + run) % slots_.size()];
        if (!(next.to == lead.to) || next.length > lead.length || bytes + next.length > kMaxGsoBytes) break;
        bytes += next.length;
        ++run;
        if (next.length < lead.length) break;
      }
    }
    for (size_t k = 0; k < run; ++k) {
      size_t index = (first + k) % slots_.size();
      send_iovecs_[(head_ + cursor + k) % slots_.size()] = {SlotData(index), slots_[index].length};
    }
    auto& hdr = send_headers_[messages].msg_hdr;
    std::memset(&hdr, 0, sizeof(hdr));
    hdr.msg_name = const_cast<sockaddr*>(lead.to.raw());
    hdr.msg_namelen = lead.to.length();
    // The ring can wrap inside a run; iovecs are indexed like slots, so split is impossible
    // only if the run wraps: shorten the run at the wrap point instead.
    size_t iov_start = (head_ + cursor) % slots_.size();
    if (iov_start + run > slots_.size()) run = slots_.size() - iov_start;
    hdr.msg_iov = &send_iovecs_[iov_start];
    hdr.msg_iovlen = run;
    if (run > 1) {
      hdr.msg_control = send_controls_[messages].data();
      hdr.msg_controllen = send_controls_[messages].size();
      cmsghdr* cm = CMSG_FIRSTHDR(&hdr);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t segment = lead.length;
      std::memcpy(CMSG_DATA(cm), &segment, sizeof(segment));
    }
    send_slot_counts_[messages] = run;
    cursor += run;
    ++messages;
  }

  int sent = sendmmsg(fd_, send_headers_.data(), static_cast<unsigned>(messages), MSG_DONTWAIT);
  ++stats_.send_syscalls;
  if (sent < 0) {
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      waiting_writable_ = true;
      UpdatePolling();
      return false;
    }
    if (send_slot_counts_[0] > 1 && (err == EIO || err == EINVAL || err == EOPNOTSUPP)) {
      // The route's device cannot segment (e.g. checksum offload off): fall back for good.
      gso_enabled_ = false;
      LOG_WARN("udp.gso_disabled", {"socket", local_address_.ToString()}, {"errno", err});
      return true;
    }
    // The first message failed for its own reason (unreachable, refused): drop it, go on.
    ++stats_.send_errors;
    size_t drop = send_slot_counts_[0];
    head_ = (head_ + drop) % slots_.size();
    queued_ -= drop;
    return true;
  }
  for (int i = 0; i < sent; ++i) {
    size_t run = send_slot_counts_[i];
    if (run > 1) ++stats_.gso_messages;
    for (size_t k = 0; k < run; ++k) {
      stats_.bytes_sent += slots_[(head_ + k) % slots_.size()].length;
    }
    stats_.datagrams_sent += run;
    head_ = (head_ + run) % slots_.size();
    queued_ -= run;
  }
  return true;
}

void UdpSocket::UpdatePolling() {
  uv_poll_start(poll_, UV_READABLE | (waiting_writable_ ? UV_WRITABLE : 0), &UdpSocket::OnPoll);
}

void UdpSocket::RegisterMetrics(base::MetricsRegistry& registry, const base::Labels& labels) const {
  auto add = [&](const char* name, const char* help, const uint64_t* field) {
    registry.AddCallback(name, help, true, labels, [field] { return static_cast<double>(*field); });
  };
  add("cascade_udp_datagrams_received_total", "UDP datagrams received", &stats_.datagrams_received);
  add("cascade_udp_bytes_received_total", "UDP bytes received", &stats_.bytes_received);
  add("cascade_udp_receive_syscalls_total", "recvmmsg calls that returned data", &stats_.receive_syscalls);
  add("cascade_udp_datagrams_sent_total", "UDP datagrams sent", &stats_.datagrams_sent);
  add("cascade_udp_bytes_sent_total", "UDP bytes sent", &stats_.bytes_sent);
  add("cascade_udp_send_syscalls_total", "sendmmsg calls", &stats_.send_syscalls);
  add("cascade_udp_gso_messages_total", "sendmmsg messages carrying several GSO segments",
      &stats_.gso_messages);
  add("cascade_udp_send_queue_drops_total", "datagrams dropped because the send queue was full",
      &stats_.send_queue_drops);
  add("cascade_udp_send_errors_total", "datagrams the kernel refused", &stats_.send_errors);
  add("cascade_udp_truncated_total", "received datagrams larger than the buffer",
      &stats_.datagrams_truncated);
}

}  // namespace cascade::net
