#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/net/HttpServer.hpp"
#include "core/net/Loop.hpp"
#include "core/net/Timer.hpp"
#include "core/net/UdpSocket.hpp"
#include "tests/RunLoop.hpp"
#include "tests/core/net/BlockingClient.hpp"
#include "tools/linkemu/LinkEmulator.hpp"

using namespace cascade;
using linkemu::Direction;
using linkemu::LinkEmulator;

using cascade::test::RunUntil;

namespace {

const net::SocketAddress kLoopback = *net::SocketAddress::Parse("127.0.0.1", 0);

// Each datagram carries a sequence number and its send time (steady clock, µs).
struct Probe {
  uint32_t sequence;
  uint64_t sent_us;
};

struct Endpoint : net::UdpSocket::Listener {
  explicit Endpoint(net::Loop& loop) : loop(loop), socket(loop, this, kLoopback) {}
  net::Loop& loop;
  net::UdpSocket socket;
  bool echo = false;
  size_t received = 0;
  double min_delay_ms = 1e9;
  double max_delay_ms = 0;
  void SendProbe(uint32_t sequence, const net::SocketAddress& to) {
    uint8_t buffer[200] = {};
    const Probe probe{sequence, loop.clock().NowUs()};
    std::memcpy(buffer, &probe, sizeof(probe));
    socket.Send(buffer, to);
  }
  void OnUdpSocketPacket(net::UdpSocket*, std::span<uint8_t> data, const net::SocketAddress& from) override {
    ++received;
    if (data.size() >= sizeof(Probe)) {
      Probe probe;
      std::memcpy(&probe, data.data(), sizeof(probe));
      const double delay = static_cast<double>(loop.clock().NowUs() - probe.sent_us) / 1000;
      min_delay_ms = std::min(min_delay_ms, delay);
      max_delay_ms = std::max(max_delay_ms, delay);
    }
    if (echo) socket.Send(data, from);
  }
  void ResetDelays() {
    min_delay_ms = 1e9;
    max_delay_ms = 0;
  }
};

// Sends `count` probes from `from` to `to`, `per_ms` each millisecond, then runs `settle_ms` more.
void SendPaced(net::Loop& loop, Endpoint& from, const net::SocketAddress& to, uint32_t count, uint32_t per_ms,
               uint64_t settle_ms) {
  uint32_t sent = 0;
  uint64_t finished_us = 0;
  net::Timer pacer(loop, [&] {
    for (uint32_t i = 0; i < per_ms && sent < count; ++i) from.SendProbe(sent++, to);
    if (sent == count && finished_us == 0) finished_us = loop.clock().NowUs();
  });
  pacer.Start(1, 1);
  RunUntil(
      loop, [&] { return finished_us != 0 && loop.clock().NowUs() > finished_us + settle_ms * 1000; },
      10'000);
}

std::string HttpExchange(net::Loop& loop, uint16_t port, const std::string& raw) {
  std::atomic<bool> done{false};
  std::string reply;
  std::thread client([&] {
    reply = test::TcpExchange(port, raw);
    done = true;
  });
  RunUntil(loop, [&] { return done.load(); });
  client.join();
  return reply;
}

std::string Put(const std::string& body) {
  return "PUT /link HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
         "application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("LinkEmulator delays and drops on loopback, and PUT /link changes it at runtime") {
  net::Loop loop;
  Endpoint a(loop), b(loop);
  b.echo = true;
  LinkEmulator::Options options;
  options.listen = kLoopback;
  options.target = b.socket.local_address();
  options.a_to_b.delay_ms = 20;
  options.a_to_b.loss = 0.10;
  options.seed = 1234;
  LinkEmulator emulator(loop, options);
  base::MetricsRegistry metrics;
  emulator.RegisterMetrics(metrics);
  net::HttpServer http(loop, kLoopback);
  emulator.AddRoutes(http.router(), metrics);

  SendPaced(loop, a, emulator.listen_address(), 2000, 50, 150);
  const double loss = 1.0 - static_cast<double>(b.received) / 2000;
  MESSAGE("a->b: received ", b.received, "/2000, one-way delay ", b.min_delay_ms, "..", b.max_delay_ms,
          " ms");
  CHECK(b.min_delay_ms >= 20.0);
  CHECK(b.max_delay_ms < 250.0);  // ms timer resolution plus a loaded CI machine
  CHECK(loss > 0.07);
  CHECK(loss < 0.13);
  // B's echoes come back through the same peer mapping (b_to_a unimpaired).
  CHECK(a.received == b.received);
  CHECK(a.min_delay_ms >= 20.0);
  CHECK(emulator.peers() == 1);
  CHECK(emulator.stats(Direction::kAToB).forwarded == b.received);
  CHECK(emulator.model(Direction::kAToB).counters().drops.Get(linkemu::DropReason::kRandomLoss) ==
        2000 - b.received);
  CHECK(metrics.Read("linkemu_forwarded_total", {{"direction", "a_to_b"}}) ==
        static_cast<double>(b.received));

  const uint16_t port = http.local_address().port();
  const std::string put = HttpExchange(loop, port, Put(R"({"a_to_b": {"delay_ms": 0, "loss": 0}})"));
  CHECK(put.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(emulator.model(Direction::kAToB).params().delay_ms == 0);
  const std::string bad = HttpExchange(loop, port, Put(R"({"a_to_b": {"loss": 2}})"));
  CHECK(bad.rfind("HTTP/1.1 400", 0) == 0);
  const std::string get =
      HttpExchange(loop, port, "GET /link HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(get.find("\"forwarded\"") != std::string::npos);
  CHECK(get.find("\"b_to_a\"") != std::string::npos);

  const size_t before = b.received;
  b.ResetDelays();
  SendPaced(loop, a, emulator.listen_address(), 500, 50, 50);
  CHECK(b.received - before == 500);  // no loss now
  CHECK(b.max_delay_ms < 15.0);       // no added delay now

  // A second client gets its own upstream socket and its own replies.
  Endpoint c(loop);
  SendPaced(loop, c, emulator.listen_address(), 100, 50, 30);
  CHECK(emulator.peers() == 2);
  CHECK(c.received == 100);
}

TEST_CASE("LinkEmulator forwarding rate on one core (printed)") {
  // Closed loop: the sender keeps `window` probes in flight through the emulator to a sink,
  // all on this one thread, so the figure is the whole pipeline's rate, emulator included.
  for (double delay_ms : {0.0, 50.0}) {
    net::Loop loop;
    Endpoint sender(loop), sink(loop);
    LinkEmulator::Options options;
    options.listen = kLoopback;
    options.target = sink.socket.local_address();
    options.a_to_b.delay_ms = delay_ms;
    options.hold_packets = 32768;
    LinkEmulator emulator(loop, options);
    const size_t window = delay_ms > 0 ? 16384 : 1024;
    uint32_t sent = 0;
    size_t last_received = 0;
    uint64_t last_progress_us = loop.clock().NowUs();
    auto top_up = [&] {
      const uint64_t now = loop.clock().NowUs();
      if (sink.received != last_received) {
        last_received = sink.received;
        last_progress_us = now;
      } else if (now - last_progress_us > 200'000) {
        sent = static_cast<uint32_t>(sink.received);  // recover from drops (kernel buffers)
      }
      while (sent - sink.received < window && sender.socket.queued() < 2048)
        sender.SendProbe(sent++, emulator.listen_address());
    };
    net::Timer ticker(loop, top_up);
    ticker.Start(0, 1);
    const size_t hook = loop.AddBeforePollHook(top_up);
    // Warm up, then measure for a fixed window.
    RunUntil(
        loop, [] { return false; }, 200);
    const size_t start_forwarded = emulator.stats(Direction::kAToB).forwarded;
    const uint64_t start_us = loop.clock().NowUs();
    RunUntil(
        loop, [] { return false; }, 1000);
    const double seconds = static_cast<double>(loop.clock().NowUs() - start_us) / 1e6;
    const double pps =
        static_cast<double>(emulator.stats(Direction::kAToB).forwarded - start_forwarded) / seconds;
    loop.RemoveBeforePollHook(hook);
    std::printf(
        "linkemu bench: delay %.0f ms, 200-byte datagrams: %.0f packets/s forwarded (%zu held at the end)\n",
        delay_ms, pps, emulator.held());
    MESSAGE("linkemu forwarding rate, delay ", delay_ms, " ms: ", pps, " packets/s");
    CHECK(pps > 10'000);
  }
}
