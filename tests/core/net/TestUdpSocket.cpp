#include <doctest/doctest.h>

#include <vector>

#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "core/net/UdpSocket.hpp"
#include "tests/RunLoop.hpp"

using namespace cascade::net;

using cascade::test::RunUntil;

namespace {

struct CountingListener : UdpSocket::Listener {
  size_t packets = 0;
  size_t bytes = 0;
  std::vector<uint8_t> first_bytes;  // first byte of each datagram, to check content and order
  UdpSocket* echo_through = nullptr;
  void OnUdpSocketPacket(UdpSocket* socket, std::span<uint8_t> data, const SocketAddress& from) override {
    ++packets;
    bytes += data.size();
    first_bytes.push_back(data[0]);
    if (echo_through) echo_through->Send(data, from);
    (void)socket;
  }
};

}  // namespace

TEST_CASE("UdpSocket moves N datagrams both ways on loopback in batches") {
  Loop loop;
  CountingListener a_listener;
  CountingListener b_listener;
  auto loopback = *SocketAddress::Parse("127.0.0.1", 0);
  UdpSocket a(loop, &a_listener, loopback);
  UdpSocket b(loop, &b_listener, loopback);
  b_listener.echo_through = &b;

  constexpr size_t kCount = 2000;
  std::vector<uint8_t> payload(1200);
  for (size_t i = 0; i < kCount; ++i) {
    payload[0] = static_cast<uint8_t>(i);
    REQUIRE(a.Send(payload, b.local_address()));
  }
  RunUntil(loop, [&] { return a_listener.packets == kCount; });

  CHECK(b_listener.packets == kCount);
  CHECK(a_listener.packets == kCount);
  CHECK(a_listener.bytes == kCount * 1200);
  // Batching: far fewer syscalls than datagrams on each side.
  CHECK(a.stats().send_syscalls * 8 <= kCount);
  CHECK(b.stats().receive_syscalls * 4 <= kCount);
  // Order is kept on loopback.
  for (size_t i = 0; i < kCount; ++i) CHECK(b_listener.first_bytes[i] == static_cast<uint8_t>(i));
  if (a.gso_enabled()) CHECK(a.stats().gso_messages > 0);
}

TEST_CASE("UdpSocket without GSO still delivers every datagram") {
  Loop loop;
  CountingListener receiver_listener;
  CountingListener sender_listener;
  auto loopback = *SocketAddress::Parse("127.0.0.1", 0);
  UdpSocket::Options no_gso;
  no_gso.enable_gso = false;
  UdpSocket sender(loop, &sender_listener, loopback, no_gso);
  UdpSocket receiver(loop, &receiver_listener, loopback);
  std::vector<uint8_t> payload(100, 7);
  for (int i = 0; i < 300; ++i) sender.Send(payload, receiver.local_address());
  RunUntil(loop, [&] { return receiver_listener.packets == 300; });
  CHECK(receiver_listener.packets == 300);
  CHECK(sender.stats().gso_messages == 0);
}

TEST_CASE("UdpSocket drops and counts when its send queue is full") {
  Loop loop;
  CountingListener listener;
  UdpSocket::Options tiny;
  tiny.send_queue_datagrams = 4;
  auto loopback = *SocketAddress::Parse("127.0.0.1", 0);
  UdpSocket socket(loop, &listener, loopback, tiny);
  std::vector<uint8_t> payload(10, 1);
  // Oversized datagrams are refused outright.
  std::vector<uint8_t> huge(UdpSocket::kMaxDatagram + 1, 1);
  CHECK_FALSE(socket.Send(huge, socket.local_address()));
  CHECK(socket.stats().send_errors == 1);
  for (int i = 0; i < 4; ++i) CHECK(socket.Send(payload, socket.local_address()));
  CHECK(socket.queued() == 4);
}

TEST_CASE("SocketAddress parses, formats and compares") {
  auto v4 = SocketAddress::ParseHostPort("127.0.0.1:5000");
  REQUIRE(v4);
  CHECK(v4->port() == 5000);
  CHECK(v4->ToString() == "127.0.0.1:5000");
  auto v6 = SocketAddress::ParseHostPort("[::1]:443");
  REQUIRE(v6);
  CHECK(v6->ToString() == "[::1]:443");
  CHECK_FALSE(SocketAddress::ParseHostPort("nohost"));
  CHECK_FALSE(SocketAddress::ParseHostPort("1.2.3.4:99999"));
  CHECK(*v4 == *SocketAddress::Parse("127.0.0.1", 5000));
  CHECK_FALSE(*v4 == *SocketAddress::Parse("127.0.0.1", 5001));
}
