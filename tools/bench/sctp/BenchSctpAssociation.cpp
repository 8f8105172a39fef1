// Messages per second through two in-process SctpAssociations wired back to back (no DTLS,
// no loss): 1 KiB ordered binary messages on one DCEP channel. A rough figure for the
// cost of usrsctp plus our framing per message.
#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <vector>

#include "core/sctp/SctpAssociation.hpp"
#include "core/sctp/SctpLibrary.hpp"

using namespace cascade::sctp;

namespace {

struct BenchEndpoint : SctpAssociation::Listener {
  std::unique_ptr<SctpAssociation> association;
  std::deque<std::vector<uint8_t>> outbox;
  uint64_t received = 0;
  bool opened = false;

  void OnSctpAssociationSendPacket(SctpAssociation*, std::span<const uint8_t> packet) override {
    outbox.emplace_back(packet.begin(), packet.end());
  }
  void OnSctpAssociationConnected(SctpAssociation*) override {}
  void OnSctpAssociationClosed(SctpAssociation*) override {}
  void OnSctpAssociationDataChannelOpened(SctpAssociation*, const DataChannel&) override { opened = true; }
  void OnSctpAssociationMessage(SctpAssociation*, uint16_t, DataChannelMessageType,
                                std::span<const uint8_t>) override {
    ++received;
  }
  void OnSctpAssociationDataChannelClosed(SctpAssociation*, const DataChannel&) override {}
};

void Pump(BenchEndpoint& a, BenchEndpoint& b) {
  while (!a.outbox.empty() || !b.outbox.empty()) {
    while (!a.outbox.empty()) {
      auto packet = std::move(a.outbox.front());
      a.outbox.pop_front();
      b.association->ProcessSctpData(packet);
    }
    while (!b.outbox.empty()) {
      auto packet = std::move(b.outbox.front());
      b.outbox.pop_front();
      a.association->ProcessSctpData(packet);
    }
  }
}

void BM_SctpAssociationMessages1KiB(benchmark::State& state) {
  BenchEndpoint a;
  BenchEndpoint b;
  SctpAssociationConfig config;
  a.association = std::make_unique<SctpAssociation>(config, &a);
  config.role = SctpRole::kServer;
  b.association = std::make_unique<SctpAssociation>(config, &b);
  a.association->Connect();
  b.association->Connect();
  Pump(a, b);
  DataChannelParams params;
  params.label = "bench";
  const uint16_t id = *a.association->OpenDataChannel(params);
  Pump(a, b);
  const std::vector<uint8_t> message(1024, 0x5a);
  uint64_t sent = 0;
  for (auto _ : state) {
    // Send until usrsctp pushes back, then let the peer receive and SACK.
    while (a.association->SendMessage(id, DataChannelMessageType::kBinary, message).ok()) ++sent;
    Pump(a, b);
  }
  state.counters["messages/s"] =
      benchmark::Counter(static_cast<double>(b.received), benchmark::Counter::kIsRate);
  state.counters["MiB/s"] =
      benchmark::Counter(static_cast<double>(b.received) * 1024 / (1024 * 1024), benchmark::Counter::kIsRate);
  state.counters["sent"] = static_cast<double>(sent);
}
BENCHMARK(BM_SctpAssociationMessages1KiB)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
