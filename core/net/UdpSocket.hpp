#pragma once
// A UDP socket that moves datagrams in batches: recvmmsg on the way in, and on the way
// out a send queue flushed with one sendmmsg per loop iteration, coalescing runs of
// equal-size datagrams to one destination into UDP GSO sends where the kernel allows it.
// Buffers are allocated once at construction; nothing is allocated per datagram.
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/base/Metrics.hpp"
#include "core/net/Loop.hpp"
#include "core/net/SocketAddress.hpp"

namespace cascade::net {

class UdpSocket {
 public:
  static constexpr size_t kBatch = 64;           // datagrams per recvmmsg / messages per sendmmsg
  static constexpr size_t kMaxDatagram = 2048;   // larger datagrams are truncated and dropped
  static constexpr size_t kMaxGsoSegments = 64;  // kernel limit is UDP_MAX_SEGMENTS (64 or 128)
  static constexpr size_t kMaxGsoBytes = 65000;  // a GSO send is one UDP datagram before segmentation

  class Listener {
   public:
    virtual ~Listener() = default;
    // `data` points into the socket's receive buffer and is valid only during the call; the
    // listener may modify it in place (SRTP decrypts in place).
    virtual void OnUdpSocketPacket(UdpSocket* socket, std::span<uint8_t> data, const SocketAddress& from) = 0;
  };

  struct Options {
    size_t send_queue_datagrams = 4096;
    int socket_buffer_bytes = 8 << 20;
    bool enable_gso = true;
  };

  struct Stats {
    uint64_t datagrams_received = 0;
    uint64_t bytes_received = 0;
    uint64_t receive_syscalls = 0;
    uint64_t datagrams_truncated = 0;
    uint64_t datagrams_sent = 0;
    uint64_t bytes_sent = 0;
    uint64_t send_syscalls = 0;
    uint64_t gso_messages = 0;
    uint64_t send_queue_drops = 0;
    uint64_t send_errors = 0;
  };

  // Binds to `bind_address` (port 0 picks a free port). Throws std::system_error on failure:
  // this is a start-up path.
  UdpSocket(Loop& loop, Listener* listener, const SocketAddress& bind_address, Options options);
  UdpSocket(Loop& loop, Listener* listener, const SocketAddress& bind_address)
      : UdpSocket(loop, listener, bind_address, Options{}) {}
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  const SocketAddress& local_address() const { return local_address_; }
  bool gso_enabled() const { return gso_enabled_; }
  const Stats& stats() const { return stats_; }
  size_t queued() const { return queued_; }

  // Queues a copy of `data`; returns false and counts a drop when the queue is full.
  bool Send(std::span<const uint8_t> data, const SocketAddress& to);
  // Zero-copy send: write up to kMaxDatagram bytes into the returned span (empty when the
  // queue is full), then CommitSend with the length written.
  std::span<uint8_t> PrepareSend();
  void CommitSend(size_t length, const SocketAddress& to);
  // Sends everything queued now. Called automatically before the loop polls.
  void Flush();

  void RegisterMetrics(base::MetricsRegistry& registry, const base::Labels& labels) const;

 private:
  struct Slot {
    SocketAddress to;
    uint16_t length = 0;
  };

  static void OnPoll(uv_poll_t* handle, int status, int events);
  void ReceiveBatches();
  // Sends one sendmmsg worth of messages from the queue head; returns false to stop flushing.
  bool SendOneBatch();
  uint8_t* SlotData(size_t index) { return send_storage_.data() + index * kMaxDatagram; }
  void UpdatePolling();

  Loop& loop_;
  Listener* listener_;  // passed by argument
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;  // allocated by this, freed by its close callback
  size_t hook_id_ = 0;
  SocketAddress local_address_;
  Options options_;
  bool gso_enabled_ = false;
  bool waiting_writable_ = false;
  Stats stats_;

  // Receive side: kBatch buffers, headers and source addresses, reused for every batch.
  std::vector<uint8_t> receive_storage_;
  std::array<mmsghdr, kBatch> receive_headers_{};
  std::array<iovec, kBatch> receive_iovecs_{};
  std::array<sockaddr_storage, kBatch> receive_addresses_{};

  // Send side: a ring of fixed-size slots.
  std::vector<uint8_t> send_storage_;
  std::vector<Slot> slots_;
  size_t head_ = 0;
  size_t queued_ = 0;
  std::vector<iovec> send_iovecs_;
  std::array<mmsghdr, kBatch> send_headers_{};
  std::array<size_t, kBatch> send_slot_counts_{};
  std::array<std::array<uint8_t, CMSG_SPACE(sizeof(uint16_t))>, kBatch> send_controls_{};
};

}  // namespace cascade::net
