// Loopback UDP throughput on one core: the batching UdpSocket (sendmmsg + GSO out, recvmmsg
// in) against the naive one-syscall-per-datagram loop, in the same run.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "core/net/Loop.hpp"
#include "core/net/UdpSocket.hpp"

using namespace cascade::net;

namespace {

constexpr size_t kDatagramBytes = 1200;
constexpr size_t kPerIteration = 1024;

struct Sink : UdpSocket::Listener {
  size_t received = 0;
  void OnUdpSocketPacket(UdpSocket*, std::span<uint8_t>, const SocketAddress&) override { ++received; }
};

void BM_UdpSocketBatched(benchmark::State& state) {
  Loop loop;
  Sink sink;
  Sink unused;
  auto loopback = *SocketAddress::Parse("127.0.0.1", 0);
  UdpSocket::Options options;
  options.enable_gso = state.range(0) != 0;
  UdpSocket sender(loop, &unused, loopback, options);
  UdpSocket receiver(loop, &sink, loopback);
  std::vector<uint8_t> payload(kDatagramBytes, 0x80);
  size_t delivered = 0;
  for (auto _ : state) {
    size_t target = sink.received + kPerIteration;
    for (size_t i = 0; i < kPerIteration; ++i) sender.Send(payload, receiver.local_address());
    sender.Flush();
    // Loopback can drop under pressure; count what arrived rather than waiting forever.
    for (int spins = 0; sink.received < target && spins < 200; ++spins) loop.RunOnce();
  }
  delivered = sink.received;
  state.SetItemsProcessed(static_cast<int64_t>(delivered));
  state.counters["send_syscalls_per_1k"] = 1000.0 * static_cast<double>(sender.stats().send_syscalls) /
                                           static_cast<double>(sender.stats().datagrams_sent);
  state.counters["delivered_pct"] =
      100.0 * static_cast<double>(delivered) / static_cast<double>(state.iterations() * kPerIteration);
}
BENCHMARK(BM_UdpSocketBatched)->Arg(0)->Arg(1)->ArgName("gso")->UseRealTime();

void BM_UdpPlainSyscalls(benchmark::State& state) {
  int tx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int buf = 8 << 20;
  setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(rx, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<uint8_t> payload(kDatagramBytes, 0x80);
  std::vector<uint8_t> in(2048);
  size_t delivered = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kPerIteration; ++i) {
      sendto(tx, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    }
    while (recv(rx, in.data(), in.size(), 0) > 0) ++delivered;
  }
  state.SetItemsProcessed(static_cast<int64_t>(delivered));
  state.counters["delivered_pct"] =
      100.0 * static_cast<double>(delivered) / static_cast<double>(state.iterations() * kPerIteration);
  close(tx);
  close(rx);
}
BENCHMARK(BM_UdpPlainSyscalls)->UseRealTime();

}  // namespace
